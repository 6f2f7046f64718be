// What the channels of one budget share (one integration, one robot: their targets'
// budget_key is the same): the pacing, a pause the server asked for, and the jobs waiting
// for either. Internal to deliver/.
#pragma once

#include <chrono>
#include <deque>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/deliver/job.h"
#include "net/deliver/rate.h"

namespace cmrelay::deliver {

using Ms = std::chrono::milliseconds;

struct Budget {
  RateLimiter limiter;
  Clock::time_point paused_until{};
  Clock::time_point paused_at{};  // When the pause was last set.
  int streak = 0;                 // Throttled answers without Retry-After since the last success.
  bool probing = false;           // After such an answer: one request at a time until one succeeds.
  size_t in_flight = 0;           // Requests.
  std::deque<Job*> held;          // Ready jobs waiting for the budget, in order.

  // Waits until `until` (a longer pause set earlier stands).
  void pause(Clock::time_point now, Clock::time_point until);
  // The earliest time a request of it may start.
  Clock::time_point next_free(Clock::time_point now) { return std::max(paused_until, limiter.next_free(now)); }
  // A delivered request: the window has room again.
  void succeeded() {
    streak = 0;
    probing = false;
  }
  // A throttled answer without Retry-After: the budget is over one of its windows. The whole
  // budget waits, doubling from base up to its longest window (cap when it has none), half
  // of it jitter. An answer to a request started (at `started`) before the current pause was
  // set is the same overrun seen again: it waits for that pause, and does not double it.
  Ms window_wait(Clock::time_point started, Clock::time_point now, Ms base, Ms cap, std::mt19937_64& rng);
};

// The budgets of a sender, by key.
class Budgets {
 public:
  // The budget of key (added when new), paced by rates too (all of a budget's windows apply).
  size_t add(const std::string& key, const std::vector<Rate>& rates);
  Budget& operator[](size_t i) { return budgets_[i]; }
  std::vector<Budget>& all() { return budgets_; }
  // The earliest time a held job may start; max() when none is held.
  Clock::time_point next_time(Clock::time_point now);

 private:
  std::vector<Budget> budgets_;
  std::unordered_map<std::string, size_t> index_;  // By budget key: holds secrets.
};

}  // namespace cmrelay::deliver
