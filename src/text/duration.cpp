#include "text/duration.h"

#include "text/ascii.h"
#include "text/escape.h"

namespace cmrelay::text {
namespace {

constexpr std::string_view kGrammar =
    "a duration is a number and a unit: ms, s, m (or min), h or d, like 500ms, 5s, 1.5m or 1h; a bare number is "
    "seconds";

bool digit(char c) { return c >= '0' && c <= '9'; }

// Milliseconds in one unit, 0 for no unit this grammar knows.
int64_t unit_ms(std::string_view unit) {
  if (unit.empty() || iequals(unit, "s")) return 1000;
  if (iequals(unit, "ms")) return 1;
  if (iequals(unit, "m") || iequals(unit, "min")) return int64_t{60} * 1000;
  if (iequals(unit, "h")) return int64_t{3600} * 1000;
  if (iequals(unit, "d")) return int64_t{86400} * 1000;
  return 0;
}

std::string quoted(std::string_view text) { return "'" + escape(text) + "'"; }

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& why) {
  constexpr int64_t kMaxMs = kMaxDurationSeconds * 1000;
  std::string_view s = trim(text);
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    why = "a duration cannot be negative or signed, not " + quoted(text) + " (" + std::string(kGrammar) + ")";
    return std::nullopt;
  }
  size_t i = 0;
  bool too_long = false;
  int64_t whole = 0;
  for (; i < s.size() && digit(s[i]); ++i) {
    whole = whole * 10 + (s[i] - '0');
    if (whole > kMaxMs) {
      too_long = true;
      whole = kMaxMs + 1;  // Keeps the loop from overflowing; the value is refused below.
    }
  }
  const size_t whole_digits = i;
  // The fraction, as nanoparts of the unit: 9 digits are finer than any unit's millisecond.
  int64_t nano = 0;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && digit(s[i]); ++i, ++frac_digits) {
      if (frac_digits < 9) nano = nano * 10 + (s[i] - '0');
    }
    for (size_t k = frac_digits; k < 9; ++k) nano *= 10;
  }
  const int64_t scale = unit_ms(trim(s.substr(i)));
  if (whole_digits + frac_digits == 0 || scale == 0) {
    why = "not a duration: " + quoted(text) + " (" + std::string(kGrammar) + ")";
    return std::nullopt;
  }
  const int64_t ms =
      too_long || whole > kMaxMs / scale ? kMaxMs + 1 : whole * scale + (nano * scale + 500000000) / 1000000000;
  if (ms > kMaxMs) {
    why = "a duration is at most " + std::to_string(kMaxDurationSeconds) + "s (about 31 years), not " + quoted(text);
    return std::nullopt;
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace cmrelay::text
