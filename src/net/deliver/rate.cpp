#include "net/deliver/rate.h"

#include <algorithm>

namespace cmrelay::deliver {

std::vector<Rate> channel_rates(const Channel& channel) {
  if (channel.rate_set) return channel.rate;
  std::vector<Rate> rates;
  std::string why;
  // A kind's default is in the route file's grammar, so that it reads as a user would write it.
  if (!parse_rates(channel.target->default_rate(channel.url), rates, why)) rates.clear();
  return rates;
}

void RateLimiter::add(const std::vector<Rate>& rates) {
  for (const Rate& r : rates) {
    if (std::any_of(logs_.begin(), logs_.end(), [&](const Log& l) { return l.rate == r; })) continue;
    auto margin = r.per / 20 + std::chrono::milliseconds(100);
    logs_.push_back({r, Clock::duration(r.per + margin), {}});
  }
}

std::chrono::milliseconds RateLimiter::longest() const {
  std::chrono::milliseconds most{0};
  for (const Log& l : logs_) most = std::max(most, l.rate.per);
  return most;
}

RateLimiter::Clock::time_point RateLimiter::next_free(Clock::time_point now) {
  Clock::time_point free = now;
  for (Log& l : logs_) {
    while (!l.starts.empty() && l.starts.front() + l.span <= now) l.starts.pop_front();
    // Full: the next start may come once the oldest one leaves the window.
    if (l.starts.size() >= l.rate.count) free = std::max(free, l.starts.front() + l.span);
  }
  return free;
}

void RateLimiter::take(Clock::time_point now) {
  for (Log& l : logs_) {
    while (!l.starts.empty() && l.starts.front() + l.span <= now) l.starts.pop_front();
    l.starts.push_back(now);
    if (l.starts.size() > l.rate.count) l.starts.pop_front();  // Only when taken early; stays bounded.
  }
}

std::string RateLimiter::describe() const {
  std::vector<Rate> rates;
  for (const Log& l : logs_) rates.push_back(l.rate);
  return format_rates(rates);
}

}  // namespace cmrelay::deliver
