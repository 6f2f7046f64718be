#include "vendors/java_map.h"

#include "text/ascii.h"

namespace cmrelay::java_map {

using text::blank;
using text::trim;  // ASCII whitespace: a form body's %0A or %0D%0A ends up here as well as spaces.

namespace {

// "{...}" loses its outer braces; the brace that closes the first must end the text.
bool strip_braces(std::string_view& s, std::string& error) {
  if (s.empty() || s.front() != '{') return true;
  size_t depth = 0, close = std::string_view::npos;
  for (size_t i = 0; i < s.size() && close == std::string_view::npos; ++i) {
    if (s[i] == '{' || s[i] == '[')
      ++depth;
    else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
      close = i;
  }
  if (close == std::string_view::npos) {
    error = "unbalanced braces";
    return false;
  }
  if (close + 1 != s.size()) {
    error = "text after the closing brace";
    return false;
  }
  s = trim(s.substr(1, s.size() - 2));
  return true;
}

// One piece between top-level commas: "key=value", or (no '=') more of the last value.
bool add_piece(std::string_view piece, std::vector<Entry>& out, std::string& error) {
  size_t eq = piece.find('=');
  if (eq == std::string_view::npos) {
    if (out.empty()) {
      error = "entry '" + std::string(trim(piece).substr(0, 40)) + "' has no '='";
      return false;
    }
    out.back().second += ',';
    out.back().second += piece;  // A value holding a comma: inner spacing is kept.
    std::string& v = out.back().second;
    while (!v.empty() && blank(v.back())) v.pop_back();
    return true;
  }
  std::string_view key = trim(piece.substr(0, eq));
  if (key.empty()) {
    error = "an entry has no key";
    return false;
  }
  out.emplace_back(std::string(key), std::string(trim(piece.substr(eq + 1))));
  return true;
}

}  // namespace

bool parse(std::string_view text, std::vector<Entry>& out, std::string& error) {
  out.clear();
  error.clear();
  std::string_view s = trim(text);
  if (!strip_braces(s, error)) return false;
  if (s.empty()) return true;
  size_t depth = 0, start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    const char c = i < s.size() ? s[i] : ',';
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        error = "unbalanced '" + std::string(1, c) + "' at character " + std::to_string(i + 1);
        return false;
      }
      --depth;
    } else if (c == ',' && depth == 0) {
      if (!add_piece(s.substr(start, i - start), out, error)) return false;
      start = i + 1;
    }
  }
  if (depth != 0) {
    error = "unbalanced brackets";
    return false;
  }
  return true;
}

}  // namespace cmrelay::java_map
