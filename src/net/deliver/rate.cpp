#include "net/deliver/rate.h"

#include <curl/curl.h>

#include <algorithm>

#include "net/deliver/shared_rate.h"
#include "report/diag.h"
#include "text/ascii.h"

namespace cmrelay::deliver {
namespace {

// One part of a URL as libcurl parses it; empty when it has none.
std::string url_part(std::string_view url, CURLUPart part) {
  std::string out;
  CURLU* u = curl_url();
  char* value = nullptr;
  if (curl_url_set(u, CURLUPART_URL, std::string(url).c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, part, &value, 0) == CURLUE_OK && value != nullptr) {
    out = value;
  }
  curl_free(value);
  curl_url_cleanup(u);
  return out;
}

// The value of the integration_key query parameter, as written; empty when absent.
std::string integration_key(std::string_view url) {
  std::string query = url_part(url, CURLUPART_QUERY);
  std::string_view q(query);
  while (!q.empty()) {
    std::string_view pair = q.substr(0, q.find('&'));
    if (pair.starts_with("integration_key=")) return std::string(pair.substr(16));
    q.remove_prefix(std::min(q.size(), pair.size() + 1));
  }
  return {};
}

}  // namespace

std::vector<Rate> flashduty_rates() { return {{100, std::chrono::seconds(1)}, {1000, std::chrono::minutes(1)}}; }

bool is_flashduty_push(std::string_view url) {
  return text::iequals(url_part(url, CURLUPART_HOST), "api.flashcat.cloud") &&
         url_part(url, CURLUPART_PATH).starts_with("/event/push/");
}

std::vector<Rate> channel_rates(const Channel& channel) {
  if (channel.rate_set) return channel.rate;
  return is_flashduty_push(channel.url) ? flashduty_rates() : std::vector<Rate>{};
}

std::string budget_key(std::string_view url) {
  std::string key = integration_key(url);
  if (key.empty()) return "url " + std::string(url);
  return "key " + url_part(url, CURLUPART_HOST) + " " + key;
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
  shared_.reset(new Shared{link, std::move(key), std::max<size_t>(1, fleet_size), nullptr, link.epoch()});
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
        s.windows = std::make_unique<SharedWindows>(s.link, s.key, std::move(windows));
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
