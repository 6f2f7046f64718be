// Pacing per budget (an integration, a robot: the channel's target says which channels share
// one): what the budget allows, and when the next request of it may start.
//
// A rate N/T is kept exactly: at most N request starts in ANY interval of length T (a
// sliding window over the starts themselves). A token bucket of N tokens refilled at N/T
// would allow up to 2N in some T-long interval (a full bucket spent, then refilled), which
// a server counting a sliding window answers with 429s. Each window remembers at most N
// start times. A small margin (2% of T plus 50 ms) absorbs the network's jitter between
// when cmrelay starts a request and when the server counts it.
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "route/channel.h"

namespace cmrelay::deliver {

// The rates a channel is paced at: its own when set (rate:, --rate), else its target kind's
// default (Flashduty's limits for a Flashduty push URL; none for other URLs).
std::vector<Rate> channel_rates(const Channel& channel);

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Adds windows (another channel of the same budget): all of them apply; an identical
  // window is kept once.
  void add(const std::vector<Rate>& rates);
  bool empty() const { return logs_.empty(); }
  // The longest window (0 when none): how long a 429 without Retry-After may last.
  std::chrono::milliseconds longest() const;
  // The earliest time, not before now, at which one more request may start.
  Clock::time_point next_free(Clock::time_point now);
  // Records a request started at now (which must be at or after next_free(now)).
  void take(Clock::time_point now);
  // The windows, as "100/s,1000/m".
  std::string describe() const;

 private:
  struct Log {
    Rate rate;
    Clock::duration span;                  // The window plus the margin.
    std::deque<Clock::time_point> starts;  // Within the last span, oldest first; at most rate.count.
  };
  std::vector<Log> logs_;
};

}  // namespace cmrelay::deliver
