#include "input/form.h"

namespace cmrelay::form {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// End of an unencoded bracketed value starting at s[i] ('{' or '['), honouring JSON strings;
// npos when the brackets never balance.
size_t bracket_end(std::string_view s, size_t i) {
  size_t depth = 0;
  bool in_string = false, escape = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if ((c == '}' || c == ']') && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

void unescape(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    size_t run = i;  // Ordinary bytes are copied a run at a time.
    while (run < s.size() && s[run] != '+' && s[run] != '%') ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
}

void decode(std::string_view body,
            const std::function<void(std::string_view name, std::string_view value)>& field) {
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
        unescape(body.substr(i, end - i), name);
        field(name, {});
      }
      i = end + 1;
      continue;
    }
    size_t v = eq + 1;
    size_t end = std::string_view::npos;
    if (brackets && v < body.size() && (body[v] == '{' || body[v] == '[')) {
      size_t close = bracket_end(body, v);
      if (close != std::string_view::npos && (close == body.size() || body[close] == '&')) end = close;
      else brackets = false;
    }
    if (end == std::string_view::npos) end = std::min(body.find('&', v), body.size());
    if (eq > i) {
      unescape(body.substr(i, eq - i), name);
      unescape(body.substr(v, end - v), value);
      field(name, value);
    }
    i = end + 1;
  }
}

}  // namespace cmrelay::form
