#include "net/serve/listener.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "input/capture.h"
#include "text/ascii.h"
#include "text/escape.h"

namespace cmrelay::serve {
namespace {

using Clock = std::chrono::steady_clock;
constexpr unsigned kPollThreads = 2;  // epoll threads: they only parse and answer.

// A request's destination, decided from its path alone.
enum class Route { Hook, Healthz, Readyz, Metrics, Other };

// Past this many query parameters a request is answered 414: no vendor sends as many.
constexpr size_t kMaxQueryParameters = 1000;

Route route_of(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/healthz") return Route::Healthz;
  if (path == "/readyz") return Route::Readyz;
  if (path == "/metrics") return Route::Metrics;
  // /hook, or /hook/TOKEN with one segment: anything else under it is no route of ours
  // (and would hide a token where masking does not look for one).
  constexpr std::string_view kHook = "/hook/";
  if (path == "/hook") return Route::Hook;
  if (path.starts_with(kHook) && path.size() > kHook.size() && path.find('/', kHook.size()) == std::string_view::npos)
    return Route::Hook;
  return Route::Other;
}

// A connection, from accept to close (libmicrohttpd's per-socket pointer), watched by the
// deadline thread: a request must be read whole within request_timeout of its request line;
// before its request line (on a new or a kept-alive connection), idle_timeout + request_timeout.
// Guarded by Listener::Impl::conns_mu.
struct Conn {
  int fd = -1;
  Clock::time_point deadline;
  bool storing = false;  // Suspended while its request is stored: not the client's time.
  bool cut = false;      // Shut down by the deadline thread.
  std::string path;      // Printable (printable_path), once the request line is read.
};

// One request, from its request line to its end (libmicrohttpd's per-request pointer).
struct Req {
  std::string uri;   // Raw, with the query: a GET body lives there.
  std::string path;  // printable_path(uri): what logs and metrics say.
  Route route = Route::Other;
  bool too_many_parameters = false;
  Conn* conn = nullptr;
  Clock::time_point start = Clock::now();
  bool checked = false;    // Headers accepted; the body is being read.
  bool too_large = false;  // The body passed max_body: the rest is discarded, then 413.
  std::string body;
  // Written by a worker and made durable by the spool's committer while the connection is
  // suspended (no write or flush ever blocks an epoll thread, and one flush covers every
  // request written while the previous one ran).
  bool storing = false;
  std::atomic<bool> stored{false};
  std::string capture, name, error;
  StoreResult result = StoreResult::Failed;
  double store_seconds = 0, fsync_seconds = 0;
};

// Runs store jobs on a few threads; finish() runs what is queued, then joins.
class Workers {
 public:
  void start(unsigned n) {
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
  }
  void push(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }
  void finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return done_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool done_ = false;
};

std::string client_address(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* out = static_cast<std::vector<std::pair<std::string, std::string>>*>(cls);
  out->emplace_back(key, value != nullptr ? value : "");
  return MHD_YES;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return static_cast<bool>(in) && !out.empty();
}

bool is_loopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    return (ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family != AF_INET6) return false;
  const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(&a) != 0 || (IN6_IS_ADDR_V4MAPPED(&a) != 0 && a.s6_addr[12] == 127);
}

}  // namespace

struct Listener::Impl {
  ListenOptions o;
  const Auth& auth;
  Spool& spool;
  Metrics& metrics;
  const Log& log;
  std::function<bool()> ready;
  std::function<void()> stored;
  std::vector<std::string> secret_headers{"Token", "Authorization"};
  MHD_Daemon* daemon = nullptr;
  int listen_fd = -1;
  std::atomic<int> active{0};
  std::string cert, key;  // Must outlive the daemon.
  Workers workers;
  std::mutex conns_mu;
  std::set<Conn*> conns;
  std::thread deadlines;
  std::condition_variable deadlines_cv;
  bool deadlines_stop = false;  // Under conns_mu.

  Impl(ListenOptions options, const Auth& a, Spool& s, Metrics& m, const Log& l, std::function<bool()> r,
       std::function<void()> st)
      : o(std::move(options)), auth(a), spool(s), metrics(m), log(l), ready(std::move(r)), stored(std::move(st)) {
    for (const std::string& h : o.token_headers) secret_headers.push_back(h);
  }

  // A metric's path label: the route's name, never more of the path.
  static std::string label_of(Route route) {
    constexpr const char* kLabels[] = {"/hook", "/healthz", "/readyz", "/metrics", "other"};  // By Route.
    return kLabels[static_cast<size_t>(route)];
  }

  Clock::duration between_requests() const { return o.idle_timeout + o.request_timeout; }

  MHD_Result respond(MHD_Connection* c, const Req& r, const char* method, unsigned code, const std::string& body,
                     const char* type = "application/json", const std::string& file = "") {
    MHD_Response* resp =
        MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", type);
    if (code == 503) {
      std::string secs = std::to_string(std::max<int64_t>(1, o.retry_after.count() / 1000));
      MHD_add_response_header(resp, "Retry-After", secs.c_str());
    }
    // Where the body's framing is in doubt (400, 411), the connection cannot carry another request.
    if (code == 400 || code == 411) MHD_add_response_header(resp, "Connection", "close");
    MHD_Result rc = MHD_queue_response(c, code, resp);
    MHD_destroy_response(resp);
    metrics.request(label_of(r.route), static_cast<int>(code));
    if (r.route == Route::Hook || code >= 400) {
      LogFields f{{"client", client_address(c)},
                  {"method", method},
                  {"path", r.path},
                  {"status", std::to_string(code)},
                  {"bytes", std::to_string(r.body.size())},
                  {"ms", std::to_string(
                             std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - r.start).count())}};
      if (!file.empty()) f.emplace_back("file", file);
      log.write("request", f);
    }
    return rc;
  }

  static std::string message(std::string_view text) {
    return std::string("{\"message\":\"") + std::string(text) + "\"}\n";
  }

  // The token check: the path's, the Token header, or a --token-header; every candidate is
  // compared (in constant time) whatever the others gave.
  bool authorized(MHD_Connection* c, const Req& r) {
    if (o.no_auth) return true;
    std::string token;
    mask_path_token(r.uri.substr(0, r.uri.find('?')), token);
    bool ok = auth.accepts(token);
    for (const std::string& name : secret_headers) {
      if (name == "Authorization") continue;
      const char* v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name.c_str());
      if (v != nullptr) ok |= auth.accepts(v);
    }
    return ok;
  }

  // How the body is framed: "" when it can be read, else the answer's code and message.
  // A POST must say its length (an HTTP/1.0 body without one runs to the connection's end,
  // which is never stored half); two different lengths leave it in doubt.
  static std::pair<unsigned, std::string_view> framing(MHD_Connection* c, bool post) {
    struct Lengths {
      std::string first;
      bool conflict = false;
    } lengths;
    MHD_get_connection_values(
        c, MHD_HEADER_KIND,
        [](void* cls, MHD_ValueKind, const char* key, const char* value) {
          auto* l = static_cast<Lengths*>(cls);
          if (value == nullptr || !text::iequals(key, "Content-Length")) return MHD_YES;
          const std::string_view v = text::trim(value);
          const bool number = !v.empty() && v.find_first_not_of("0123456789") == std::string_view::npos;
          l->conflict |= !number || (!l->first.empty() && l->first != v);
          if (l->first.empty()) l->first = v;
          return MHD_YES;
        },
        &lengths);
    if (lengths.conflict) return {400, "Content-Length is not one number"};
    const bool chunked = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding") != nullptr;
    if (post && lengths.first.empty() && !chunked) return {411, "Content-Length required"};
    return {0, ""};
  }

  // The first call, headers read: everything that can be said before reading the body.
  // True when the body is to be read.
  bool admit(MHD_Connection* c, Req& r, const char* method, MHD_Result& rc) {
    bool get = std::strcmp(method, "GET") == 0;
    bool post = std::strcmp(method, "POST") == 0;
    if (!auth.allowed(client_address(c))) {
      rc = respond(c, r, method, 403, message("address not allowed"));
    } else if (r.too_many_parameters) {
      rc =
          respond(c, r, method, 414, message("more than " + std::to_string(kMaxQueryParameters) + " query parameters"));
    } else if (r.route == Route::Healthz && get) {
      rc = respond(c, r, method, 200, "ok\n", "text/plain");
    } else if (r.route == Route::Readyz && get) {
      bool ok = spool.writable() && ready();
      rc = respond(c, r, method, ok ? 200 : 503, ok ? metrics.readiness() : "not ready\n", "text/plain");
    } else if (r.route == Route::Metrics && get) {
      rc = respond(c, r, method, 200, metrics.render(spool), "text/plain; version=0.0.4");
    } else if (r.route != Route::Hook) {
      rc = respond(c, r, method, 404, message("not found"));
    } else if (!get && !post) {
      rc = respond(c, r, method, 405, message("POST or GET"));
    } else if (auto [code, why] = framing(c, post); code != 0) {
      rc = respond(c, r, method, code, message(why));
    } else if (!authorized(c, r)) {
      rc = respond(c, r, method, 401, message("missing or wrong token"));
    } else {
      const char* length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
      if (length != nullptr && std::strtoull(length, nullptr, 10) > o.max_body) {
        rc = respond(c, r, method, 413, message("body too large"));
      } else if (r.uri.size() > o.max_body) {
        rc = respond(c, r, method, 413, message("request line too large"));
      } else {
        return true;
      }
    }
    return false;
  }

  // The body is complete: the connection is suspended while a worker writes it and the
  // spool's committer makes it durable (with whatever else arrived meanwhile), then resumed
  // to answer.
  MHD_Result store(MHD_Connection* c, Req& r, const char* method) {
    Request req;
    req.method = method;
    std::string token;
    req.target = mask_path_token(r.uri, token);
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &req.headers);
    req.body = std::move(r.body);
    r.capture = format_capture(req, secret_headers);
    r.body = std::move(req.body);  // For the log's byte count.
    r.storing = true;
    set_storing(r, true);
    MHD_suspend_connection(c);
    workers.push([this, c, &r] {
      const auto t0 = Clock::now();
      // Taken out of r first: done may answer, and the request end, before submit returns.
      const std::string capture = std::move(r.capture);
      spool.submit(capture, [this, c, &r, t0](const Stored& s) {
        r.result = s.result;
        r.name = s.name;
        r.error = s.error;
        r.store_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        r.fsync_seconds = static_cast<double>(s.flush_ns) / 1e9;
        if (s.first) metrics.committed(s.batch);
        r.stored.store(true);
        MHD_resume_connection(c);
      });
    });
    return MHD_YES;
  }

  MHD_Result answer_stored(MHD_Connection* c, Req& r, const char* method) {
    set_storing(r, false);
    if (r.result == StoreResult::Stored) {
      metrics.stored(r.store_seconds, r.fsync_seconds);
      stored();
      return respond(c, r, method, 200, message("stored"), "application/json", r.name);
    }
    if (!r.error.empty()) log.write("spool", {{"error", r.error}});
    return respond(c, r, method, 503, message(r.result == StoreResult::Full ? "spool full" : "cannot store"));
  }

  MHD_Result handle(MHD_Connection* c, const char* method, const char* data, size_t* size, Req& r) {
    if (r.storing) return r.stored.load() ? answer_stored(c, r, method) : MHD_YES;
    if (!r.checked) {
      MHD_Result rc = MHD_YES;
      if (!admit(c, r, method, rc)) return rc;
      r.checked = true;
      return MHD_YES;
    }
    if (*size > 0) {
      if (r.body.size() + *size > o.max_body) {
        r.too_large = true;
        r.body.clear();
        r.body.shrink_to_fit();
      } else if (!r.too_large) {
        r.body.append(data, *size);
      }
      *size = 0;
      return MHD_YES;
    }
    if (r.too_large) return respond(c, r, method, 413, message("body too large"));
    return store(c, r, method);
  }

  void set_storing(const Req& r, bool storing) {
    if (r.conn == nullptr) return;
    std::lock_guard<std::mutex> lock(conns_mu);
    r.conn->storing = storing;
    if (!storing) r.conn->deadline = Clock::now() + o.request_timeout;  // Time to take the answer.
  }

  // The deadline thread: a connection past its deadline is shut down (the epoll thread then
  // sees its end and closes it), counted as a 408 and logged. A client dripping its request
  // line, its headers or its body one byte at a time is never idle, so only this bounds it.
  void watch_deadlines() {
    const auto tick = std::clamp<Clock::duration>(o.request_timeout / 4, std::chrono::milliseconds(20),
                                                  std::chrono::milliseconds(250));
    std::unique_lock<std::mutex> lock(conns_mu);
    while (!deadlines_stop) {
      deadlines_cv.wait_for(lock, tick);
      const auto now = Clock::now();
      std::vector<std::string> cut;  // Their paths, logged outside the lock.
      for (Conn* k : conns) {
        if (k->storing || k->cut || now < k->deadline) continue;
        k->cut = true;
        ::shutdown(k->fd, SHUT_RDWR);
        cut.push_back(k->path);
      }
      lock.unlock();
      for (const std::string& path : cut) {
        metrics.request(label_of(route_of(path)), 408);
        log.write("request",
                  {{"path", path.empty() ? "-" : path},
                   {"status", "408"},
                   {"error", "request timeout: not read whole within --request-timeout; connection closed"}});
      }
      lock.lock();
    }
  }
};

namespace {

Conn* conn_of(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info == nullptr ? nullptr : static_cast<Conn*>(info->socket_context);
}

// The request line is read (the headers not yet): libmicrohttpd has not parsed the query.
void* on_uri(void* cls, const char* uri, MHD_Connection* c) {
  auto* impl = static_cast<Listener::Impl*>(cls);
  impl->active.fetch_add(1);
  auto* r = new Req;
  r->uri = uri != nullptr ? uri : "";
  r->path = printable_path(r->uri);
  r->route = route_of(r->uri);
  const size_t q = r->uri.find('?');
  if (q != std::string::npos) {
    const std::string_view query = std::string_view(r->uri).substr(q);
    r->too_many_parameters = static_cast<size_t>(std::count(query.begin(), query.end(), '&')) >= kMaxQueryParameters;
    // The query is ours to read (r->uri; a GET's body): libmicrohttpd is left none to parse.
    // Its parser (0.9.75) is quadratic in the number of parameters, and when they exhaust the
    // connection's memory it neither answers nor frees the connection until the idle timeout.
    // This writes into libmicrohttpd's own copy of the request line, which it hands over
    // writable and still parses after this call: a NUL right after '?' leaves an empty query.
    const_cast<char*>(uri)[q + 1] = '\0';
  }
  r->conn = conn_of(c);
  if (r->conn != nullptr) {
    std::lock_guard<std::mutex> lock(impl->conns_mu);
    r->conn->deadline = r->start + impl->o.request_timeout;
    r->conn->path = r->path;
  }
  return r;
}

void on_completed(void* cls, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
  auto* impl = static_cast<Listener::Impl*>(cls);
  auto* r = static_cast<Req*>(*req_cls);
  if (r == nullptr) return;
  if (r->conn != nullptr) {
    std::lock_guard<std::mutex> lock(impl->conns_mu);
    r->conn->deadline = Clock::now() + impl->between_requests();
    r->conn->path.clear();
    r->conn->storing = false;
  }
  delete r;
  *req_cls = nullptr;
  impl->active.fetch_sub(1);
}

void on_connection(void* cls, MHD_Connection* c, void** socket_context, MHD_ConnectionNotificationCode code) {
  auto* impl = static_cast<Listener::Impl*>(cls);
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    auto* k = new Conn;
    const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    k->fd = info != nullptr ? info->connect_fd : -1;
    k->deadline = Clock::now() + impl->between_requests();
    *socket_context = k;
    std::lock_guard<std::mutex> lock(impl->conns_mu);
    if (k->fd >= 0) impl->conns.insert(k);
    return;
  }
  auto* k = static_cast<Conn*>(*socket_context);
  if (k == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(impl->conns_mu);
    impl->conns.erase(k);
  }
  delete k;
  *socket_context = nullptr;
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char*, const char* method, const char*, const char* data,
                      size_t* size, void** req_cls) {
  auto* r = static_cast<Req*>(*req_cls);
  if (r == nullptr) return MHD_NO;
  return static_cast<Listener::Impl*>(cls)->handle(c, method, data, size, *r);
}

}  // namespace

Listener::Listener(ListenOptions options, const Auth& auth, Spool& spool, Metrics& metrics, const Log& log,
                   std::function<bool()> ready, std::function<void()> stored)
    : impl_(
          std::make_unique<Impl>(std::move(options), auth, spool, metrics, log, std::move(ready), std::move(stored))) {}

Listener::~Listener() { stop(std::chrono::milliseconds(0)); }

addrinfo* resolve_listen(const std::string& listen, std::string& error) {
  const size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  // The resolver reads a port past 65535 modulo 65536, and a service name as a port: only
  // the number itself is taken.
  const bool number = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (host.empty() || !number || std::stoul(port) > 65535) {
    error = "--listen " + text::escape(listen) +
            ": expected ADDR:PORT ([V6ADDR]:PORT), the port 1 to 65535 (0 picks a free one)";
    return nullptr;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const int gai = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) {
    error = "--listen " + text::escape(listen) + ": " + ::gai_strerror(gai);
    return nullptr;
  }
  return res;
}

bool listen_loopback(const std::string& listen, bool& loopback, std::string& error) {
  addrinfo* res = resolve_listen(listen, error);
  if (res == nullptr) return false;
  loopback = is_loopback(res->ai_addr);  // The address start() binds: the first.
  ::freeaddrinfo(res);
  return true;
}

bool Listener::start(std::string& error) {
  Impl& m = *impl_;
  addrinfo* res = resolve_listen(m.o.listen, error);
  if (res == nullptr) return false;
  int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool ok = fd >= 0 && ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 128) == 0;
  int family = res->ai_family;
  ::freeaddrinfo(res);
  if (!ok) {
    error = "--listen " + m.o.listen + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
  if (family == AF_INET6) flags |= MHD_USE_IPv6;
  bool tls = !m.o.tls_cert.empty();
  if (tls) {
    if (!read_file(m.o.tls_cert, m.cert) || !read_file(m.o.tls_key, m.key)) {
      error = "--tls-cert/--tls-key: cannot read " + m.o.tls_cert + " or " + m.o.tls_key;
      ::close(fd);
      return false;
    }
    flags |= MHD_USE_TLS;
  }
  unsigned idle = static_cast<unsigned>(std::max<int64_t>(1, (m.o.idle_timeout.count() + 999) / 1000));
  m.listen_fd = fd;
  m.daemon = MHD_start_daemon(
      flags, 0, nullptr, nullptr, on_request, &m, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_URI_LOG_CALLBACK, on_uri, &m,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, &m, MHD_OPTION_NOTIFY_CONNECTION, on_connection, &m,
      MHD_OPTION_CONNECTION_LIMIT, m.o.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, m.o.max_per_ip,
      MHD_OPTION_CONNECTION_TIMEOUT, idle, MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(128 * 1024),
      MHD_OPTION_THREAD_POOL_SIZE, kPollThreads, tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, m.key.c_str(),
      MHD_OPTION_HTTPS_MEM_CERT, m.cert.c_str(), MHD_OPTION_END);
  if (m.daemon != nullptr) {
    m.workers.start(std::max(1u, m.o.threads));
    m.deadlines = std::thread([&m] { m.watch_deadlines(); });
  }
  if (m.daemon == nullptr) {
    error = "--listen " + m.o.listen + ": libmicrohttpd could not start" +
            (tls ? " (check the TLS certificate and key)" : "");
    ::close(fd);
    m.listen_fd = -1;
    return false;
  }
  return true;
}

void Listener::stop(std::chrono::milliseconds grace) {
  Impl& m = *impl_;
  if (m.daemon == nullptr) return;
  MHD_socket fd = MHD_quiesce_daemon(m.daemon);  // No new connection from here on.
  if (fd != MHD_INVALID_SOCKET) ::close(fd);
  auto end = Clock::now() + grace;
  while (m.active.load() > 0 && Clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  m.workers.finish();  // Stores under way end, and resume their connections, first:
  m.spool.drain();     // the writes, then the flushes they wait for.
  {
    std::lock_guard<std::mutex> lock(m.conns_mu);
    m.deadlines_stop = true;
  }
  m.deadlines_cv.notify_all();
  m.deadlines.join();
  MHD_stop_daemon(m.daemon);
  m.daemon = nullptr;
}

}  // namespace cmrelay::serve
