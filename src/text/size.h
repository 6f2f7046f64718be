// The project's one size grammar, shared by every command-line size (--max-body of every
// command that reads, serve's --spool-max-bytes) and every size a route file may give, so
// that "8m" means the same everywhere:
//   DIGITS [UNIT]   a whole number of bytes; UNIT, any case: k (1024), m (1024k) or g (1024m).
//   "512", "64k", "8M", "1g"; blanks around the whole and before the unit are allowed ("8 m").
// Refused, each with one precise message that quotes the text: a sign, a fraction ("1.5m"),
// another unit ("8mb", "1KiB", "1t": the documented units are the only ones, so a typo is
// never read as bytes), no digits, a value past 2^64 - 1, and one outside the caller's range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cmrelay::text {

// The number of bytes text means, within [min, max]; else nullopt with why set (the text
// escaped, the range written in the grammar: "from 1k to 1g").
std::optional<uint64_t> parse_size(std::string_view text, std::string& why, uint64_t min = 0,
                                   uint64_t max = UINT64_MAX);

// n in the grammar, with the largest unit that divides it exactly: 1024 -> "1k", 1536 -> "1536",
// 8388608 -> "8m", 0 -> "0".
std::string format_size(uint64_t n);

}  // namespace cmrelay::text
