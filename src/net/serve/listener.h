// cmrelay serve's HTTP side, on libmicrohttpd (two epoll threads: a slow client holds a
// connection slot, never a thread). A complete request's connection is suspended while one
// of `threads` workers writes it and the spool's group commit makes it durable (no write or
// flush ever blocks parsing), then resumed to answer. Routes:
//   POST|GET /hook, /hook/<token>  check the token and the client's address, read the body
//                                  (at most max_body), store it in the spool, then 200
//   GET /healthz                   200 while the process runs
//   GET /readyz                    200 when the spool is writable and routes are loaded
//                                  ("ready", or "ready, degraded: ..." while a shared
//                                  Redis is away: Metrics::readiness)
//   GET /metrics                   Prometheus text
// Answers: 400 Content-Length in doubt, 401 bad or missing token (nothing read or stored),
// 403 address not allowed, 404 (any other path, /hook/TOKEN/more included), 405, 411 a POST
// without a length, 413 body too large, 414 too many query parameters, 503 with Retry-After
// when the spool is full or the disk refuses (nothing half-written). A request not read
// whole within request_timeout of its request line is cut (a 408 in the log and metrics),
// however steadily its client drips it. Logs and metrics print paths by printable_path().
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "net/serve/auth.h"
#include "net/serve/log.h"
#include "net/serve/metrics.h"
#include "net/serve/spool.h"

struct MHD_Daemon;

namespace cmrelay::serve {

struct ListenOptions {
  std::string listen = "127.0.0.1:8080";   // ADDR:PORT, [V6ADDR]:PORT; port 0 picks one.
  bool no_auth = false;                    // Accept requests without a token.
  bool no_auth_anywhere = false;           // ... on an address other than loopback too.
  std::vector<std::string> token_headers;  // Extra headers that may carry the token.
  size_t max_body = size_t{1} << 20;
  unsigned max_connections = 256;
  unsigned max_per_ip = 64;
  std::chrono::milliseconds idle_timeout{10000};     // A silent connection is closed.
  std::chrono::milliseconds request_timeout{30000};  // Request line to the body's end.
  std::chrono::milliseconds retry_after{30000};      // Sent with 503.
  unsigned threads = 16;                             // Workers writing requests, in parallel.
  std::string tls_cert, tls_key;                     // PEM files; both or neither.
};

// Whether --listen's address (ADDR:PORT, [V6ADDR]:PORT) is a loopback one (127.0.0.0/8, ::1),
// as the resolver reads it. False with error set (naming --listen) when it is no address or
// its port is not a number from 0 (pick a free one) to 65535.
bool listen_loopback(const std::string& listen, bool& loopback, std::string& error);

class Listener {
 public:
  // ready: routes are loaded (for /readyz). stored: called after each file is stored.
  Listener(ListenOptions options, const Auth& auth, Spool& spool, Metrics& metrics, const Log& log,
           std::function<bool()> ready, std::function<void()> stored);
  ~Listener();

  // Binds and starts. False with error set.
  bool start(std::string& error);
  // The port bound (for --listen ...:0).
  int port() const { return port_; }
  // Stops accepting, waits up to grace for requests in flight, then closes everything.
  void stop(std::chrono::milliseconds grace);

  // Internal: libmicrohttpd's callbacks reach these.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace cmrelay::serve
