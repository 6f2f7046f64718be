// ASCII text helpers: the project's one case-insensitive compare and one trim. Protocol
// words (HTTP header names, URL schemes, file extensions, vendor status words, severity
// levels, route file keys) are ASCII and compare regardless of case; only 'A'-'Z' fold, so
// no locale can fold a byte of another script. Inline and constexpr: the HTTP framer calls
// them for every header.
#pragma once

#include <string>
#include <string_view>

namespace cmrelay::text {

// 'A'-'Z' as 'a'-'z'; every other byte as it is.
constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// a and b are the same ASCII text regardless of case ("Content-Length", "content-length").
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// s begins with prefix, regardless of case.
constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// needle occurs in hay, regardless of case; an empty needle occurs everywhere.
constexpr bool icontains(std::string_view hay, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// s with 'A'-'Z' folded to 'a'-'z'.
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// ASCII whitespace: space, \t, \n, \v, \f, \r (a form body's %0D%0A ends up in values too).
constexpr bool blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// s without the ASCII whitespace around it (" critical\t" -> "critical"); a view into s.
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace cmrelay::text
