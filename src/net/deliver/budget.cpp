#include "net/deliver/budget.h"

#include <algorithm>

namespace cmrelay::deliver {

void Budget::pause(Clock::time_point now, Clock::time_point until) {
  if (until <= paused_until) return;
  paused_until = until;
  paused_at = now;
}

Ms Budget::window_wait(Clock::time_point started, Clock::time_point now, Ms base, Ms cap, std::mt19937_64& rng) {
  if (started < paused_at && paused_until > now) return std::chrono::ceil<Ms>(paused_until - now);
  ++streak;
  Ms window = limiter.empty() ? cap : limiter.longest();
  int64_t ceiling = std::max<int64_t>(1, base.count());
  for (int i = 1; i < streak && ceiling < window.count(); ++i) ceiling *= 2;
  ceiling = std::min<int64_t>(ceiling, std::max<int64_t>(1, window.count()));
  std::uniform_int_distribution<int64_t> pick(ceiling / 2, ceiling);
  Ms wait(pick(rng));
  pause(now, now + wait);
  // When the pause ends, one request finds out whether the window has passed, instead of
  // --concurrency of them answered "too fast" together.
  probing = true;
  return wait;
}

size_t Budgets::add(const std::string& key, const std::vector<Rate>& rates) {
  auto [it, added] = index_.emplace(key, budgets_.size());
  if (added) budgets_.emplace_back();
  budgets_[it->second].limiter.add(rates);
  return it->second;
}

Clock::time_point Budgets::next_time(Clock::time_point now) {
  Clock::time_point t = Clock::time_point::max();
  for (Budget& b : budgets_) {
    if (!b.held.empty()) t = std::min(t, b.next_free(now));
  }
  return t;
}

}  // namespace cmrelay::deliver
