// cmrelay serve's counters, and their Prometheus text exposition (GET /metrics). Written by
// the listener's threads and the delivery loop, read by scrapes: every member is guarded.
// Labels never hold a secret: paths are the route's name ("/hook"), never the token.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace cmrelay::serve {

class Spool;

class Metrics {
 public:
  // Upper bounds of the latency histograms, in seconds.
  static constexpr std::array<double, 12> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  // Upper bounds of the group commit's batch sizes, in requests.
  static constexpr std::array<double, 12> kBatchBuckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

  void request(const std::string& path, int code);
  // A request stored: seconds from its write to its answer; fsync_seconds, of that, the flushes'.
  void stored(double seconds, double fsync_seconds);
  // A group-commit batch of batch requests was written to disk.
  void committed(size_t batch);
  void rejected();
  // A vendor retry dropped; fleet: recognised through the shared Redis (--shared).
  void duplicate(bool fleet = false);
  void unrouted();
  void attempt(const std::string& channel, bool retry);
  // delivered or dead-lettered; latency from arrival to delivery (delivered only).
  void ended(const std::string& channel, bool delivered, double latency);

  // --shared: the Redis the fleet shares (as shown: never the password), and what this host
  // does while it is away (for /readyz).
  void shared(const std::string& redis, const std::string& degraded_mode);
  // The shared Redis answers again (true) or became unreachable (false).
  void shared_up(bool up);
  // /readyz's text when the host is ready: "ready", or while the shared Redis is away
  // "ready, degraded: ..." (still 200: the host receives and delivers; nothing is refused).
  std::string readiness();

  // The exposition, with the spool's gauges read now.
  std::string render(Spool& spool);

 private:
  struct Histogram {
    const std::array<double, 12>* bounds = &kBuckets;
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
    void observe(double v);
  };
  struct Channel {
    uint64_t attempts = 0, retried = 0, delivered = 0, dead_lettered = 0;
    Histogram latency;
  };
  std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  uint64_t stored_ = 0, rejected_ = 0, duplicates_ = 0, fleet_duplicates_ = 0, unrouted_ = 0;
  std::string shared_, degraded_mode_;  // Empty without --shared.
  bool shared_up_ = true;
  uint64_t shared_outages_ = 0;
  Histogram store_, fsync_, batch_{&kBatchBuckets};
  std::map<std::string, Channel> channels_;
};

// A Prometheus label value: \ " and newline escaped.
std::string label_value(const std::string& v);

}  // namespace cmrelay::serve
