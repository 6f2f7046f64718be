#include "net/serve/log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <ctime>

#include "text/utf8.h"

namespace cmrelay::serve {
namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

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

// JSON strings must be UTF-8: an invalid byte (a client's path may hold any) is written as
// the text \xNN instead.
std::string valid_utf8(std::string_view v) {
  std::string out;
  while (!v.empty()) {
    size_t bad = utf8::find_invalid(v);
    if (bad == std::string_view::npos) bad = v.size();
    out.append(v.substr(0, bad));
    if (bad == v.size()) break;
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(v[bad]));
    out += hex;
    v.remove_prefix(bad + 1);
  }
  return out;
}

}  // namespace

std::string Log::format(std::string_view kind, const LogFields& fields) const {
  if (json_) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto str = [&](std::string_view s) {
      std::string v = valid_utf8(s);
      w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    };
    w.StartObject();
    w.Key("time");
    str(utc_now());
    w.Key("kind");
    str(kind);
    for (const auto& [k, v] : fields) {
      str(k);
      str(v);
    }
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
  }
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
