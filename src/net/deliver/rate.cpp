#include "net/deliver/rate.h"

#include <algorithm>

#include "net/deliver/shared_rate.h"
#include "report/diag.h"

namespace cmrelay::deliver {

std::vector<Rate> channel_rates(const Channel& channel) {
  if (channel.rate_set) return channel.rate;
  std::vector<Rate> rates;
  std::string why;
  // A kind's default is in the route file's grammar, so that it reads as a user would write it.
  if (!parse_rates(channel.target->default_rate(channel.url), rates, why)) rates.clear();
  return rates;
}

struct RateLimiter::Shared {
  state::RedisLink& link;
  std::string key;  // budget_key(): a secret.
  size_t fleet_size;
  std::unique_ptr<SharedWindows> windows;  // Made when first needed, again when a window is added.
  uint64_t epoch;                          // The link's epoch when this last handed its starts over.
  bool away = false;                       // Redis was away at the last slot: the starts since are only here.
  Clock::time_point share_until{};         // Back from an outage: the share applies too, until then.
  Clock::time_point hint{};                // When Redis said a slot may be free.
  bool said = false;                       // An error reply (not an outage) was said.
};

RateLimiter::RateLimiter() = default;
RateLimiter::~RateLimiter() = default;
RateLimiter::RateLimiter(RateLimiter&&) noexcept = default;
RateLimiter& RateLimiter::operator=(RateLimiter&&) noexcept = default;

namespace {

uint32_t share_of(const Rate& r, size_t fleet_size) {
  return std::max<uint32_t>(1, static_cast<uint32_t>(r.count / std::max<size_t>(1, fleet_size)));
}

}  // namespace

void RateLimiter::add(const std::vector<Rate>& rates) {
  for (const Rate& r : rates) {
    if (std::any_of(logs_.begin(), logs_.end(), [&](const Log& l) { return l.rate == r; })) continue;
    auto margin = r.per / 20 + std::chrono::milliseconds(100);
    logs_.push_back({r, Clock::duration(r.per + margin), share_of(r, shared_ ? shared_->fleet_size : 1), {}});
  }
  if (shared_) shared_->windows.reset();
}

void RateLimiter::share(state::RedisLink& link, std::string key, size_t fleet_size) {
  shared_ =
      std::make_unique<Shared>(Shared{link, std::move(key), std::max<size_t>(1, fleet_size), nullptr, link.epoch()});
  for (Log& l : logs_) l.share = share_of(l.rate, fleet_size);
}

std::chrono::milliseconds RateLimiter::longest() const {
  std::chrono::milliseconds most{0};
  for (const Log& l : logs_) most = std::max(most, l.rate.per);
  return most;
}

RateLimiter::Clock::time_point RateLimiter::local_free(Clock::time_point now, bool by_share) {
  Clock::time_point free = now;
  for (Log& l : logs_) {
    while (!l.starts.empty() && l.starts.front() + l.span <= now) l.starts.pop_front();
    // Full: the next start may come once the start `limit` places back leaves the window.
    const size_t limit = by_share ? l.share : l.rate.count;
    if (l.starts.size() >= limit) free = std::max(free, l.starts[l.starts.size() - limit] + l.span);
  }
  return free;
}

RateLimiter::Clock::time_point RateLimiter::next_free(Clock::time_point now) {
  if (!shared_) return local_free(now, false);
  if (shared_->away || !shared_->link.up()) return local_free(now, true);
  Clock::time_point t = std::max(now, shared_->hint);
  return now < shared_->share_until ? std::max(t, local_free(now, true)) : t;
}

RateLimiter::Clock::time_point RateLimiter::acquire(Clock::time_point now) {
  if (logs_.empty()) return now;
  if (shared_) return shared_acquire(now);
  Clock::time_point t = local_free(now, false);
  if (t <= now) take(now);
  return t;
}

RateLimiter::Clock::time_point RateLimiter::shared_acquire(Clock::time_point now) {
  Shared& s = *shared_;
  if (s.link.up()) {
    try {
      if (!s.windows) {
        std::vector<SharedWindows::Window> windows;
        for (const Log& l : logs_) {
          windows.push_back({l.rate, std::chrono::duration_cast<std::chrono::microseconds>(l.span)});
        }
        s.windows = std::make_unique<SharedWindows>(s.link, s.key, windows);
      }
      if (s.away || s.epoch != s.link.epoch()) {
        // Back: the starts of the last window (the longest log holds them all) go over.
        const auto epoch = s.link.epoch();
        const Log* most = &logs_.front();
        for (const Log& l : logs_) most = l.starts.size() > most->starts.size() ? &l : most;
        std::vector<std::chrono::microseconds> ages;
        for (Clock::time_point t : most->starts) ages.push_back(std::chrono::ceil<std::chrono::microseconds>(now - t));
        s.windows->seed(ages);
        Clock::duration span{0};
        for (const Log& l : logs_) span = std::max(span, l.span);
        s.share_until = now + span;
        s.away = false;
        s.epoch = epoch;
      }
      if (now < s.share_until) {
        Clock::time_point t = local_free(now, true);
        if (t > now) return t;
      }
      const std::chrono::microseconds wait = s.windows->take();
      if (wait.count() <= 0) {
        take(now);
        return now;
      }
      s.hint = now + wait;
      return s.hint;
    } catch (const state::Unavailable&) {
      // The link says the outage (once); this host keeps to its share meanwhile.
    } catch (const state::StateError& x) {
      if (!s.said) diag::say("shared budget: %s; this host keeps to its share of it", x.what());
      s.said = true;
    }
  }
  s.away = true;
  Clock::time_point t = local_free(now, true);
  if (t <= now) take(now);
  return t;
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
