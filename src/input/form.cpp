#include "input/form.h"

#include "text/percent.h"

namespace cmrelay::form {
namespace {

// End of an unencoded bracketed value starting at s[i] ('{' or '['), honouring JSON strings;
// npos when the brackets never balance.
size_t bracket_end(std::string_view s, size_t i) {
  size_t depth = 0;
  bool in_string = false, escape = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (escape)
        escape = false;
      else if (c == '\\')
        escape = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      ++depth;
    else if ((c == '}' || c == ']') && --depth == 0)
      return i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

void decode(std::string_view body, const std::function<void(std::string_view name, std::string_view value)>& field) {
  std::string name, value;
  size_t i = 0;
  // A failed bracket scan may read to the end of the body; after one, stop trying, so a body
  // full of unmatched or misplaced brackets stays linear.
  bool brackets = true;
  while (i < body.size()) {
    // By hand: find_first_of("=&") calls memchr on the two-byte set once per body byte.
    size_t eq = i;
    while (eq < body.size() && body[eq] != '=' && body[eq] != '&') ++eq;
    if (eq == body.size()) eq = std::string_view::npos;
    if (eq == std::string_view::npos || body[eq] == '&') {
      size_t end = eq == std::string_view::npos ? body.size() : eq;
      if (end > i) {
        text::percent_decode(body.substr(i, end - i), name);
        field(name, {});
      }
      i = end + 1;
      continue;
    }
    size_t v = eq + 1;
    size_t end = std::string_view::npos;
    if (brackets && v < body.size() && (body[v] == '{' || body[v] == '[')) {
      size_t close = bracket_end(body, v);
      if (close != std::string_view::npos && (close == body.size() || body[close] == '&'))
        end = close;
      else
        brackets = false;
    }
    if (end == std::string_view::npos) end = std::min(body.find('&', v), body.size());
    if (eq > i) {
      text::percent_decode(body.substr(i, eq - i), name);
      text::percent_decode(body.substr(v, end - v), value);
      field(name, value);
    }
    i = end + 1;
  }
}

}  // namespace cmrelay::form
