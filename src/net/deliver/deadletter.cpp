#include "net/deliver/deadletter.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <ctime>

#include "report/write_all.h"
#include "text/utf8.h"

namespace cmrelay::deliver {

std::string format_dead_letter(const DeadLetter& d) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  // A server's message (or a channel name) may hold bytes that are not UTF-8: written as they
  // are, the record would be no JSON, and a replay could not read it back. Such a field is
  // written with each invalid byte as the text \xNN (utf8::invalid_as_hex).
  std::string scratch;
  auto str = [&](std::string_view s) {
    const std::string_view shown = utf8::as_valid(s, scratch);
    w.String(shown.data(), static_cast<rapidjson::SizeType>(shown.size()));
  };
  char when[32];
  std::time_t t = static_cast<std::time_t>(d.time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  w.StartObject();
  w.Key("time");
  w.String(when);
  w.Key("channel");
  str(d.channel);
  w.Key("url");
  str(d.url);
  w.Key("attempts");
  w.Int(d.attempts);
  if (d.http_status != 0) {
    w.Key("http_status");
    w.Int64(d.http_status);
  }
  w.Key("error");
  str(d.error);
  if (!d.error_code.empty()) {
    w.Key("error_code");
    str(d.error_code);
  }
  if (!d.error_message.empty()) {
    w.Key("error_message");
    str(d.error_message);
  }
  if (!d.request_id.empty()) {
    w.Key("request_id");
    str(d.request_id);
  }
  w.Key("event");
  w.RawValue(d.event_json.data(), d.event_json.size(), rapidjson::kObjectType);
  w.EndObject();
  std::string line(sb.GetString(), sb.GetSize());
  line += '\n';
  return line;
}

bool DeadLetterFile::open(const std::string& path, std::string& error) {
  return path.empty() || file_.open(path, error);
}

bool DeadLetterFile::write(std::string_view record) {
  if (!is_stderr()) return file_.append(record);
  return append_record(STDERR_FILENO, record);  // Nowhere else to go.
}

}  // namespace cmrelay::deliver
