#include "net/deliver/backoff.h"

#include <curl/curl.h>

#include <algorithm>
#include <string>

#include "text/ascii.h"

namespace cmrelay::deliver {

Ms backoff_delay(int retry, Ms base, Ms cap, std::mt19937_64& rng) {
  if (retry < 1 || base.count() <= 0 || cap.count() <= 0) return Ms(0);
  int64_t ceiling = base.count();
  for (int i = 1; i < retry && ceiling < cap.count(); ++i) ceiling *= 2;
  ceiling = std::min<int64_t>(ceiling, cap.count());
  std::uniform_int_distribution<int64_t> pick(0, ceiling);
  return Ms(pick(rng));
}

std::optional<Ms> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  value = text::trim(value);
  if (value.empty()) return std::nullopt;
  constexpr int64_t kMaxSeconds = int64_t{1} << 40;  // Far beyond any cap; no overflow.
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t seconds = 0;
    for (char c : value) seconds = std::min(kMaxSeconds, seconds * 10 + (c - '0'));
    return Ms(seconds * 1000);
  }
  std::string text(value);
  time_t date = curl_getdate(text.c_str(), nullptr);
  if (date == -1) return std::nullopt;
  // A date thousands of years away does not fit system_clock's nanoseconds (found by
  // deliver_fuzz: signed overflow in from_time_t): such waits are clamped in seconds first.
  const int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  constexpr int64_t kFarSeconds = int64_t{1} << 32;  // ~136 years; nanoseconds span ~292.
  if (static_cast<int64_t>(date) - now_seconds > kFarSeconds) return Ms(kMaxSeconds * 1000);
  if (static_cast<int64_t>(date) < now_seconds) return Ms(0);
  auto wait = std::chrono::ceil<Ms>(std::chrono::system_clock::from_time_t(date) - now);
  return std::max(wait, Ms(0));
}

}  // namespace cmrelay::deliver
