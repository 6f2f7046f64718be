#include "net/deliver/attempt_log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>

#include "text/escape.h"
#include "text/utf8.h"

namespace cmrelay::deliver {
namespace {

std::string seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(ms.count()) / 1000);
  return buf;
}

std::string text_line(const AttemptLine& l) {
  std::string s = "cmrelay: send: ";
  // Names, keys and what a server said come from outside: escaped, one attempt one line.
  s.append(text::escape(l.channel)).append(" (").append(text::escape(l.url)).append("): ");
  if (!l.alert_key.empty()) s.append(text::escape(l.alert_key)).append(": ");
  if (l.what == "waiting") {
    s.append("waiting ").append(seconds(l.waited)).append(" (").append(l.waited_for).append(")\n");
    return s;
  }
  if (l.what == "dead-lettered") {
    s.append("dead-lettered after ")
        .append(std::to_string(l.attempt))
        .append(l.attempt == 1 ? " attempt" : " attempts");
    s.append(": ").append(text::escape(l.reason));
  } else {
    s.append("attempt ").append(std::to_string(l.attempt)).append(": ");
    if (l.result == "delivered") {
      s.append("HTTP ").append(std::to_string(l.http_status)).append(" delivered");
    } else {
      s.append(text::escape(l.error));
      s.append(l.result == "retry" ? " (retried)" : " (not retried)");
    }
    if (l.waited.count() > 0) s.append("; waited ").append(seconds(l.waited)).append(" for the ").append(l.waited_for);
    if (l.result == "retry")
      s.append("; next in ").append(seconds(l.next_wait)).append(" (").append(l.next_wait_for).append(")");
  }
  if (!l.request_id.empty()) s.append("; request_id ").append(text::escape(l.request_id));
  s += '\n';
  return s;
}

std::string json_line(const AttemptLine& l) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  std::string scratch;
  auto str = [&](const char* key, std::string_view v) {
    if (v.empty()) return;
    w.Key(key);
    const std::string_view shown = utf8::as_valid(v, scratch);  // A server's message may hold any bytes.
    w.String(shown.data(), static_cast<rapidjson::SizeType>(shown.size()));
  };
  auto secs = [&](const char* key, std::chrono::milliseconds ms) {
    w.Key(key);
    w.Double(static_cast<double>(ms.count()) / 1000);
  };
  auto now = std::chrono::system_clock::now();
  w.StartObject();
  w.Key("time");
  w.Double(static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()) /
           1000);
  str("event", l.what);
  str("channel", l.channel);
  str("url", l.url);
  str("alert_key", l.alert_key);
  if (l.attempt > 0) {
    w.Key("attempt");
    w.Int(l.attempt);
  }
  if (l.http_status != 0) {
    w.Key("http_status");
    w.Int64(l.http_status);
  }
  str("error", l.error);
  str("error_code", l.error_code);
  str("request_id", l.request_id);
  str("result", l.result);
  if (l.waited.count() > 0 || l.what == "waiting") {
    secs("waited", l.waited);
    str("waited_for", l.waited_for);
  }
  if (l.result == "retry") {
    secs("next_wait", l.next_wait);
    str("next_wait_for", l.next_wait_for);
  }
  str("reason", l.reason);
  w.EndObject();
  std::string s(sb.GetString(), sb.GetSize());
  s += '\n';
  return s;
}

}  // namespace

std::string format_attempt_line(const AttemptLine& line, bool json) { return json ? json_line(line) : text_line(line); }

}  // namespace cmrelay::deliver
