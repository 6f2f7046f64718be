#include "report/json_line.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ctime>

#include "text/utf8.h"

namespace cmrelay {
namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string json_line(std::string_view kind, const LogFields& fields) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  std::string scratch;
  auto str = [&](std::string_view s) {
    const std::string_view v = utf8::as_valid(s, scratch);
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

}  // namespace cmrelay
