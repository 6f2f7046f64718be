#include "net/state/redis_link.h"

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace cmrelay::state {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// hiredis writes with write(2): a connection Redis closed would raise SIGPIPE, which ends a
// process that keeps the default action (send). Blocked on this thread for one exchange,
// and a SIGPIPE the exchange raised is taken back before the mask is restored.
class NoSigpipe {
 public:
  NoSigpipe() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~NoSigpipe() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{};
        while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  NoSigpipe(const NoSigpipe&) = delete;
  NoSigpipe& operator=(const NoSigpipe&) = delete;

 private:
  sigset_t pipe_{}, old_{};
  bool was_pending_ = false;
};

// One part of a URL as libcurl parses it (percent-decoded); empty when absent.
std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  std::string out;
  if (curl_url_get(u, part, &value, flags) == CURLUE_OK && value != nullptr) out = value;
  curl_free(value);
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string RedisAddress::shown() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "redis://" + h + ":" + std::to_string(port) + "/" + std::to_string(db);
}

bool parse_redis_url(std::string_view url, RedisAddress& out, std::string& why) {
  out = RedisAddress{};
  // The reasons never quote the URL: it may hold the password.
  if (url.starts_with("rediss://")) {
    why =
        "rediss:// (TLS) is not supported: Debian 12's hiredis 0.14 speaks plain TCP; reach a TLS Redis through a "
        "local tunnel (stunnel, spiped, haproxy) and give --shared redis://127.0.0.1:PORT";
    return false;
  }
  if (!url.starts_with("redis://")) {
    why = "must be redis://[USER:PASSWORD@]HOST[:PORT][/DB]";
    return false;
  }
  CURLU* u = curl_url();
  bool parsed = curl_url_set(u, CURLUPART_URL, std::string(url).c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK;
  if (parsed) {
    out.host = url_part(u, CURLUPART_HOST);
    if (out.host.size() > 2 && out.host.front() == '[') out.host = out.host.substr(1, out.host.size() - 2);
    out.user = url_part(u, CURLUPART_USER, CURLU_URLDECODE);
    out.password = url_part(u, CURLUPART_PASSWORD, CURLU_URLDECODE);
    std::string port = url_part(u, CURLUPART_PORT);
    std::string path = url_part(u, CURLUPART_PATH);
    bool extra = !url_part(u, CURLUPART_QUERY).empty() || !url_part(u, CURLUPART_FRAGMENT).empty();
    curl_url_cleanup(u);
    if (out.host.empty()) {
      why = "has no host: redis://[USER:PASSWORD@]HOST[:PORT][/DB]";
    } else if (!port.empty() && (!all_digits(port) || std::stoi(port) < 1 || std::stoi(port) > 65535)) {
      why = "the port is not a number from 1 to 65535";
    } else if (path != "/" && !path.empty() && !all_digits(std::string_view(path).substr(1))) {
      why = "the path must be a database number (/0, /1, ...)";
    } else if (extra) {
      why = "takes no query or fragment: redis://[USER:PASSWORD@]HOST[:PORT][/DB]";
    }
    if (why.empty()) {
      if (!port.empty()) out.port = std::stoi(port);
      if (path.size() > 1) out.db = std::stoi(path.substr(1));
      return true;
    }
    return false;
  }
  curl_url_cleanup(u);
  why = "is not a valid URL: redis://[USER:PASSWORD@]HOST[:PORT][/DB]";
  return false;
}

// --- replies ---

bool ReplyView::nil() const { return r_ == nullptr || r_->type == REDIS_REPLY_NIL; }

bool ReplyView::error() const { return r_ != nullptr && r_->type == REDIS_REPLY_ERROR; }

size_t ReplyView::size() const { return r_ != nullptr && r_->type == REDIS_REPLY_ARRAY ? r_->elements : 0; }

ReplyView ReplyView::operator[](size_t i) const { return ReplyView(r_->element[i]); }

int64_t ReplyView::integer() const {
  if (r_ == nullptr) return 0;
  if (r_->type == REDIS_REPLY_INTEGER) return r_->integer;
  if (r_->type == REDIS_REPLY_STRING) return std::strtoll(std::string(r_->str, r_->len).c_str(), nullptr, 10);
  return 0;
}

std::string_view ReplyView::str() const {
  if (r_ == nullptr ||
      (r_->type != REDIS_REPLY_STRING && r_->type != REDIS_REPLY_STATUS && r_->type != REDIS_REPLY_ERROR)) {
    return {};
  }
  return {r_->str, r_->len};
}

Reply::~Reply() {
  if (r_ != nullptr) freeReplyObject(const_cast<redisReply*>(r_));
}

namespace {

std::string hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string hashed_name(std::string_view secret) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
  return hex(digest, 16);
}

Script::Script(std::string lua) : lua_(std::move(lua)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(lua_.data()), lua_.size(), digest);
  sha1_ = hex(digest, SHA_DIGEST_LENGTH);
}

// --- the link ---

struct RedisLink::Context {
  redisContext* c = nullptr;
  std::vector<const char*> args;  // Scratch, reused: one exchange per request slot allocates nothing.
  std::vector<size_t> lens;
  ~Context() {
    if (c != nullptr) redisFree(c);
  }
  // One exchange; null (with c->errstr set) when the connection failed.
  redisReply* exchange(const std::vector<std::string_view>& argv) {
    args.clear();
    lens.clear();
    for (std::string_view a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    NoSigpipe guard;
    return static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), args.data(), lens.data()));
  }
};

RedisLink::RedisLink(RedisAddress address, Timing timing) : address_(std::move(address)), timing_(timing) {}

RedisLink::~RedisLink() {
  {
    std::lock_guard<std::mutex> l(probe_mu_);
    stopping_ = true;
  }
  probe_cv_.notify_all();
  if (prober_.joinable()) prober_.join();
}

std::unique_ptr<RedisLink::Context> RedisLink::connect(std::string& why, bool& fatal) const {
  auto ctx = std::make_unique<Context>();
  {
    NoSigpipe guard;
    ctx->c = redisConnectWithTimeout(address_.host.c_str(), address_.port, to_timeval(timing_.connect));
  }
  if (ctx->c == nullptr || ctx->c->err != 0) {
    why = std::string("cannot connect: ") + (ctx->c != nullptr ? ctx->c->errstr : "out of memory");
    return nullptr;
  }
  redisSetTimeout(ctx->c, to_timeval(timing_.command));
  redisEnableKeepAlive(ctx->c);
  std::string db = std::to_string(address_.db);
  std::vector<std::vector<std::string_view>> hello;
  if (!address_.password.empty()) {
    if (address_.user.empty()) {
      hello.push_back({"AUTH", address_.password});
    } else {
      hello.push_back({"AUTH", address_.user, address_.password});
    }
  }
  if (address_.db != 0) hello.push_back({"SELECT", db});
  hello.push_back({"PING"});
  for (const auto& argv : hello) {
    Reply r(ctx->exchange(argv));
    if (r.nil()) {
      why = std::string("no answer: ") + ctx->c->errstr;
      return nullptr;
    }
    if (r.error()) {
      // A setting to mend (a password, a database), not an outage; but a Redis still
      // loading its data answers again by itself.
      why = std::string(argv[0]) + " refused: " + std::string(r.str());
      fatal = !r.str().starts_with("LOADING");
      return nullptr;
    }
  }
  return ctx;
}

bool RedisLink::start(std::string& why) {
  std::string reason;
  bool fatal = false;
  auto ctx = connect(reason, fatal);
  if (fatal) {
    why = address_.shown() + ": " + reason;
    return false;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    ctx_ = std::move(ctx);
  }
  prober_ = std::thread([this] { probe_loop(); });
  if (ctx_ == nullptr) went_down(reason);
  return true;
}

void RedisLink::went_down(const std::string& why) {
  if (!up_.exchange(false)) return;
  ++outages_;
  if (on_change_) on_change_(false, why);
}

void RedisLink::came_up() {
  if (up_.exchange(true)) return;
  ++epoch_;
  if (on_change_) on_change_(true, {});
}

void RedisLink::probe_loop() {
  // Its own connection: a PING every Timing::probe, so that an outage is seen (and said, and
  // shown by /readyz) while nothing else asks Redis, and its end as soon as Redis answers.
  std::unique_ptr<Context> ctx;
  std::unique_lock<std::mutex> l(probe_mu_);
  while (!stopping_) {
    probe_cv_.wait_for(l, timing_.probe, [this] { return stopping_; });
    if (stopping_) break;
    l.unlock();
    std::string why;
    bool fatal = false;
    if (ctx == nullptr) ctx = connect(why, fatal);
    if (ctx != nullptr) {
      Reply r(ctx->exchange({"PING"}));
      if (r.nil() || r.error()) {
        why = r.nil() ? std::string("connection lost: ") + ctx->c->errstr : std::string(r.str());
        ctx.reset();
      }
    }
    if (ctx != nullptr) {
      came_up();
    } else {
      went_down(why);
    }
    l.lock();
  }
}

Reply RedisLink::run(const std::vector<std::string_view>& argv) {
  std::string why;
  {
    std::lock_guard<std::mutex> l(mu_);
    // Twice at most: a connection the server closed while it was idle is tried once more
    // on a new one; a timeout or a new connection failing is an outage.
    for (int attempt = 0; up_.load() && attempt < 2; ++attempt) {
      bool fresh = false;
      if (ctx_ == nullptr) {
        bool fatal = false;
        ctx_ = connect(why, fatal);
        if (ctx_ == nullptr) break;
        fresh = true;
      }
      errno = 0;
      redisReply* r = ctx_->exchange(argv);
      if (r != nullptr) return Reply(r);
      const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
      why = std::string(timed_out ? "no answer within " + std::to_string(timing_.command.count()) + " ms"
                                  : std::string("connection lost: ") + ctx_->c->errstr);
      ctx_.reset();
      if (fresh || timed_out) break;
    }
  }
  if (!why.empty()) went_down(why);
  throw Unavailable(address_.shown() + ": unreachable" + (why.empty() ? std::string() : ": " + why));
}

Reply RedisLink::command(std::initializer_list<std::string_view> argv) {
  return command(std::vector<std::string_view>(argv));
}

Reply RedisLink::command(const std::vector<std::string_view>& argv) { return checked(run(argv)); }

Reply RedisLink::checked(Reply r) const {
  if (r.error()) throw StateError(address_.shown() + ": " + std::string(r.str()));
  return r;
}

Reply RedisLink::eval(const Script& script, const std::vector<std::string_view>& keys,
                      const std::vector<std::string_view>& args) {
  std::string nkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv{"EVALSHA", script.sha1(), nkeys};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  Reply r = run(argv);
  if (r.error() && r.str().starts_with("NOSCRIPT")) {
    run({"SCRIPT", "LOAD", script.lua()});
    return checked(run(argv));
  }
  return checked(std::move(r));
}

}  // namespace cmrelay::state
