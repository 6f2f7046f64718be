// cmrelay serve's HTTP side, on libmicrohttpd (two epoll threads: a slow client holds a
// connection slot, never a thread). A complete request's connection is suspended while one
// of `threads` workers stores it (so fsyncs run in parallel and never block parsing), then
// resumed to answer. Routes:
//   POST|GET /hook, /hook/<token>  check the token and the client's address, read the body
//                                  (at most max_body), store it in the spool, then 200
//   GET /healthz                   200 while the process runs
//   GET /readyz                    200 when the spool is writable and routes are loaded
//                                  ("ready", or "ready, degraded: ..." while a shared
//                                  Redis is away: Metrics::readiness)
//   GET /metrics                   Prometheus text
// Answers: 401 bad or missing token (nothing read or stored), 403 address not allowed,
// 404, 405, 413 body too large, 503 with Retry-After when the spool is full or the disk
// refuses (nothing half-written), 408-like close when a request outlives request_timeout.
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
  std::vector<std::string> token_headers;  // Extra headers that may carry the token.
  size_t max_body = size_t{1} << 20;
  unsigned max_connections = 256;
  unsigned max_per_ip = 64;
  std::chrono::milliseconds idle_timeout{10000};     // A silent connection is closed.
  std::chrono::milliseconds request_timeout{30000};  // Request line to the body's end.
  std::chrono::milliseconds retry_after{30000};      // Sent with 503.
  unsigned threads = 16;                             // Workers storing requests (write + fsync), in parallel.
  std::string tls_cert, tls_key;                     // PEM files; both or neither.
};

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
