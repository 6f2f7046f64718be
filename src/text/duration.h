// The project's one duration grammar, shared by every command-line duration (--timeout,
// --backoff-cap, --older-than, ...) and every route file duration (a channel's timeout, a
// rate's window), so "1h" means the same everywhere:
//   NUMBER [UNIT]   NUMBER: digits with an optional fraction ("5", "1.5", "0.25");
//                   UNIT, any case: ms, s, m or min, h, d; none means seconds.
//   "500ms", "5s", "1.5m", "2min", "1h", "30d", "10" (ten seconds); blanks around the whole
//   and before the unit are allowed ("5 s").
// The result is in milliseconds, rounded to the nearest one. Refused, each with one precise
// message: a sign (a duration cannot be negative), more than kMaxDurationSeconds (every
// deadline computed from a duration then stays far from any clock's overflow), and anything
// else (an unknown unit, "1e3", "inf", "", "s").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cmrelay::text {

constexpr int64_t kMaxDurationSeconds = 1000000000;  // About 31 years.

// The duration text means, or nullopt with why set to a message that quotes text (escaped).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& why);

}  // namespace cmrelay::text
