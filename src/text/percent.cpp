#include "text/percent.h"

namespace cmrelay::text {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void percent_decode(std::string_view s, std::string& out, Plus plus) {
  out.clear();
  out.reserve(s.size());
  const char space = plus == Plus::Space ? ' ' : '+';
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
      out += space;
    } else if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
}

}  // namespace cmrelay::text
