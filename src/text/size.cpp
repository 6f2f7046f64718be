#include "text/size.h"

#include "text/ascii.h"
#include "text/escape.h"

namespace cmrelay::text {
namespace {

constexpr std::string_view kGrammar =
    "a size is a whole number of bytes with an optional unit k, m or g (k = 1024, m = 1024k, g = 1024m), like "
    "512, 64k or 8m";

// The power of 1024 a unit stands for: 0 for none, -1 for a unit this grammar does not know.
int unit_power(std::string_view unit) {
  if (unit.empty()) return 0;
  if (iequals(unit, "k")) return 1;
  if (iequals(unit, "m")) return 2;
  if (iequals(unit, "g")) return 3;
  return -1;
}

std::string quoted(std::string_view text) { return "'" + escape(text) + "'"; }

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text, std::string& why, uint64_t min, uint64_t max) {
  const std::string_view s = trim(text);
  size_t i = 0;
  uint64_t n = 0;
  bool overflow = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    const auto digit = static_cast<uint64_t>(s[i] - '0');
    overflow |= n > (UINT64_MAX - digit) / 10;
    if (!overflow) n = n * 10 + digit;
  }
  const int power = unit_power(trim(s.substr(i)));
  if (i == 0 || power < 0) {
    why = "not a size: " + quoted(text) + " (" + std::string(kGrammar) + ")";
    return std::nullopt;
  }
  for (int p = 0; p < power; ++p) {
    overflow |= n > UINT64_MAX / 1024;
    if (!overflow) n *= 1024;
  }
  if (!overflow && n >= min && n <= max) return n;
  if (overflow && max == UINT64_MAX) {
    why = "a size is at most " + std::to_string(UINT64_MAX) + " bytes, not " + quoted(text);
  } else {
    why = (max == UINT64_MAX ? "a size of at least " + format_size(min)
                             : "a size from " + format_size(min) + " to " + format_size(max)) +
          ", not " + quoted(text);
  }
  return std::nullopt;
}

std::string format_size(uint64_t n) {
  static constexpr const char* kUnits[] = {"", "k", "m", "g"};
  size_t unit = 0;
  while (n != 0 && n % 1024 == 0 && unit + 1 < std::size(kUnits)) {
    n /= 1024;
    ++unit;
  }
  return std::to_string(n) + kUnits[unit];
}

}  // namespace cmrelay::text
