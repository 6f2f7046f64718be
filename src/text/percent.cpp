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

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out.append(1, '%').append(1, kHex[c >> 4]).append(1, kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace cmrelay::text
