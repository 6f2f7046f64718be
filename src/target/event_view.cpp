#include "target/event_view.h"

#include <rapidjson/document.h>

#include <ctime>

namespace cmrelay::target {
namespace {

std::string text_of(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

}  // namespace

const std::string* EventView::label(std::string_view key) const {
  for (const auto& [k, v] : labels) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string_view EventView::resource() const {
  for (const char* key : {"resource", "host", "instance"}) {
    if (const std::string* v = label(key)) return *v;
  }
  return {};
}

bool read_event(std::string_view event_json, EventView& out) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(event_json.data(), event_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const rapidjson::Value& root = doc;
  out.status = text_of(root, "event_status");
  out.title = text_of(root, "title_rule");
  out.alert_key = text_of(root, "alert_key");
  out.description = text_of(root, "description");
  out.labels.clear();
  auto labels = root.FindMember("labels");
  if (labels != root.MemberEnd() && labels->value.IsObject()) {
    for (auto it = labels->value.MemberBegin(); it != labels->value.MemberEnd(); ++it) {
      if (!it->value.IsString()) continue;
      out.labels.emplace_back(std::string(it->name.GetString(), it->name.GetStringLength()),
                              std::string(it->value.GetString(), it->value.GetStringLength()));
    }
  }
  auto time = root.FindMember("event_time");
  out.event_time = time != root.MemberEnd() && time->value.IsInt64() ? time->value.GetInt64() : 0;
  return true;
}

std::string_view status_word(const EventView& e) { return e.recovery() ? "Resolved" : std::string_view(e.status); }

std::string iso_time(int64_t unix_seconds) {
  if (unix_seconds == 0) return {};
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool cut_bytes(std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return false;
  constexpr std::string_view kMark = "…";
  size_t n = max_bytes > kMark.size() ? max_bytes - kMark.size() : 0;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // Not inside a character.
  s.resize(n);
  if (max_bytes >= kMark.size()) s.append(kMark);
  return true;
}

}  // namespace cmrelay::target
