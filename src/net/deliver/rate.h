// Pacing per budget (an integration, a robot: the channel's target says which channels share
// one): what the budget allows, and when the next request of it may start.
//
// A rate N/T is kept exactly: at most N request starts in ANY interval of length T (a
// sliding window over the starts themselves). A token bucket of N tokens refilled at N/T
// would allow up to 2N in some T-long interval (a full bucket spent, then refilled), which
// a server counting a sliding window answers with 429s. Each window remembers at most N
// start times. A small margin (2% of T plus 50 ms) absorbs the network's jitter between
// when cmrelay starts a request and when the server counts it.
//
// A budget shared by a fleet (share(), --shared) is kept in the fleet's windows in Redis
// (deliver/shared_rate.h): one script per request slot. This host still counts its own
// starts. While Redis cannot be reached, it keeps to its local share of each window (the
// count divided by the fleet's size, at least 1); when Redis is back, it hands the starts it
// made meanwhile over to the fleet's windows and, for one more longest window (margin
// included), keeps to its share as well: a host that has not yet seen Redis come back is
// still at its share, and the fleet together stays within the budget.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/state/redis_link.h"
#include "route/channel.h"

namespace cmrelay::deliver {

// The rates a channel is paced at: its own when set (rate:, --rate), else its target kind's
// default (Flashduty's limits for a Flashduty push URL; none for other URLs).
std::vector<Rate> channel_rates(const Channel& channel);

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter();
  ~RateLimiter();
  RateLimiter(RateLimiter&&) noexcept;
  RateLimiter& operator=(RateLimiter&&) noexcept;

  // Adds windows (another channel of the same budget): all of them apply; an identical
  // window is kept once.
  void add(const std::vector<Rate>& rates);
  // Shares the budget with the fleet that shares link (which outlives this): key is the
  // budget's budget_key(), fleet_size the number of hosts (at least 1).
  void share(state::RedisLink& link, std::string key, size_t fleet_size);
  bool empty() const { return logs_.empty(); }
  // The longest window (0 when none): how long a 429 without Retry-After may last.
  std::chrono::milliseconds longest() const;
  // The earliest time, not before now, at which one more request may start; when that is
  // now, the request is counted as started. Shared, one script in Redis.
  Clock::time_point acquire(Clock::time_point now);
  // When one more request may start, as far as this host knows without asking Redis (how
  // long the delivery loop may sleep).
  Clock::time_point next_free(Clock::time_point now);
  // Records a request started at now (which must be at or after next_free(now)).
  void take(Clock::time_point now);
  // The windows, as "100/s,1000/m".
  std::string describe() const;

 private:
  struct Log {
    Rate rate;
    Clock::duration span;                  // The window plus the margin.
    uint32_t share;                        // This host's part of rate.count while Redis is away.
    std::deque<Clock::time_point> starts;  // Within the last span, oldest first; at most rate.count.
  };
  struct Shared;
  // When the starts kept here allow one more: against each window's count, or this host's share of it.
  Clock::time_point local_free(Clock::time_point now, bool by_share);
  Clock::time_point shared_acquire(Clock::time_point now);
  std::vector<Log> logs_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace cmrelay::deliver
