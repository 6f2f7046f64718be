#include "net/serve/log.h"

#include <cstdio>

#include "report/json_line.h"

namespace cmrelay::serve {
namespace {

// A text value: bare when it is one plain word, else quoted with \" \\ and \xNN escapes.
void append_text_value(std::string& out, std::string_view v) {
  bool bare = !v.empty();
  for (char c : v) bare &= c > ' ' && c != '"' && c != '\\' && c != '=' && c != 127;
  if (bare) {
    out.append(v);
    return;
  }
  out += '"';
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

std::string Log::format(std::string_view kind, const LogFields& fields) const {
  if (json_) return json_line(kind, fields);
  std::string out = "cmrelay: serve: ";
  out.append(kind);
  for (const auto& [k, v] : fields) {
    out.append(" ").append(k).append("=");
    append_text_value(out, v);
  }
  return out;
}

void Log::write(std::string_view kind, const LogFields& fields) const {
  std::string line = format(kind, fields);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);  // One call: lines of threads never mix.
}

}  // namespace cmrelay::serve
