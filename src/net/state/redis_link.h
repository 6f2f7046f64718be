// The Redis a fleet of cmrelay hosts shares (--shared): where it is, one connection used by
// one thread at a time, the scripts that run server-side, and its outages.
//
// What the fleet keeps there (budgets, open alerts, vendor retries) is never on the path
// that acknowledges a webhook: each host's spool is its own. So an unreachable Redis is not
// an error but a degraded mode: a command throws Unavailable at once (no network wait)
// while the outage lasts. A probe thread PINGs Redis every Timing::probe on a connection of
// its own, so that an outage is seen while nothing else asks, and its end as soon as Redis
// answers; the outage is said once when it starts and once when it ends (on_change). Commands are sent with a timeout:
// a Redis that does not answer within Timing::command is taken for gone.
//
// hiredis 0.14 (Debian 12) has no TLS: rediss:// is refused with the way to get TLS (a
// local tunnel); see the man page. Redis Cluster and Sentinel are not spoken to.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "net/state/state.h"

struct redisReply;
struct redisContext;

namespace cmrelay::state {

// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]; the user and password percent-decoded.
struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string user;      // Empty: the default user (AUTH PASSWORD).
  std::string password;  // Empty: no AUTH.
  // "redis://HOST:PORT/DB": what logs and metrics name it by, never the user or password.
  std::string shown() const;
};

// False with why set (never holding the password) when url is no such URL.
bool parse_redis_url(std::string_view url, RedisAddress& out, std::string& why);

// A key name for what must not be readable in Redis (a budget, named by its integration
// key): the SHA-256 of secret, 32 hex digits of it.
std::string hashed_name(std::string_view secret);

// A reply, or a part of one; valid while the Reply that owns it lives.
class ReplyView {
 public:
  explicit ReplyView(const redisReply* r) : r_(r) {}
  bool nil() const;
  bool error() const;                    // An error reply; str() says it.
  size_t size() const;                   // An array's elements; 0 for anything else.
  ReplyView operator[](size_t i) const;  // Of an array, i < size().
  int64_t integer() const;               // An integer, or a string that holds one; 0 otherwise.
  std::string_view str() const;          // A string or status; empty otherwise.

 protected:
  const redisReply* r_;
};

// A whole reply, freed with it.
class Reply : public ReplyView {
 public:
  explicit Reply(redisReply* r) : ReplyView(r) {}
  Reply(Reply&& o) noexcept : ReplyView(o.r_) { o.r_ = nullptr; }
  Reply& operator=(Reply&&) = delete;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();
};

// A Lua script run with EVALSHA (its SHA-1 worked out here once), loaded again by itself
// when the server does not know it (a restarted Redis).
class Script {
 public:
  explicit Script(std::string lua);
  const std::string& lua() const { return lua_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string lua_;
  std::string sha1_;
};

class RedisLink {
 public:
  struct Timing {
    std::chrono::milliseconds connect{500};  // A TCP connection, then AUTH and SELECT.
    std::chrono::milliseconds command{500};  // One command's answer.
    std::chrono::milliseconds probe{500};    // How often the probe thread PINGs.
  };
  // up false: Redis became unreachable (why: the reason, no secret); true: it answers again.
  using OnChange = std::function<void(bool up, const std::string& why)>;

  explicit RedisLink(RedisAddress address, Timing timing);
  explicit RedisLink(RedisAddress address) : RedisLink(std::move(address), Timing{}) {}
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Set before start(); called on the thread that saw the change, never under a lock.
  void on_change(OnChange f) { on_change_ = std::move(f); }
  // Connects now. False with why for what waiting cannot mend: a refused password, a
  // database number the server does not have. An unreachable Redis is no error here: the
  // link starts in an outage (said through on_change) and probes.
  bool start(std::string& why);

  // One command. Throws Unavailable (see above), or StateError for an error reply.
  Reply command(std::initializer_list<std::string_view> argv);
  Reply command(const std::vector<std::string_view>& argv);
  // EVALSHA script with keys and then args.
  Reply eval(const Script& script, const std::vector<std::string_view>& keys,
             const std::vector<std::string_view>& args);

  bool up() const { return up_.load(); }
  uint64_t outages() const { return outages_.load(); }
  // Changes each time Redis comes back: a user that kept something locally during the
  // outage knows to hand it over.
  uint64_t epoch() const { return epoch_.load(); }
  const RedisAddress& address() const { return address_; }

 private:
  struct Context;
  // One exchange, an error reply included; throws Unavailable.
  Reply run(const std::vector<std::string_view>& argv);
  // r, unless it is an error reply: then StateError.
  Reply checked(Reply r) const;
  void went_down(const std::string& why);
  void came_up();
  void probe_loop();
  // A new connection, authenticated and on its database; null with why set.
  std::unique_ptr<Context> connect(std::string& why, bool& fatal) const;

  RedisAddress address_;
  Timing timing_;
  OnChange on_change_;
  std::mutex mu_;  // The connection: one command at a time.
  std::unique_ptr<Context> ctx_;
  std::atomic<bool> up_{true};
  std::atomic<uint64_t> outages_{0};
  std::atomic<uint64_t> epoch_{0};
  std::mutex probe_mu_;
  std::condition_variable probe_cv_;
  bool stopping_ = false;  // Under probe_mu_.
  std::thread prober_;
};

}  // namespace cmrelay::state
