#include "net/deliver/rate.h"

#include <curl/curl.h>

#include <algorithm>

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
