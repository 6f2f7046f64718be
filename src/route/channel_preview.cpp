// What a channel would send, for the commands that show it without sending.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>

#include "route/channel.h"
#include "target/template.h"

namespace cmrelay {

Preview preview(const Channel& channel, std::string_view event_json) {
  Preview p;
  const std::array<std::string_view, 1> events{event_json};
  target::Request request;
  const target::RenderContext context{std::chrono::system_clock::now(), nullptr};
  if (channel.target->render(events, channel.url, context, request, p.error) == 0) return p;
  const std::vector<std::string> secrets = channel_secrets(channel);
  p.url = mask_secrets(redact_url(request.url, channel.redact), secrets);
  p.body = mask_secrets(request.body, secrets);
  std::string type;
  for (const auto& [name, value] : channel.target->headers()) {
    if (name == "Content-Type") type = value;
  }
  if (target::escape_for(type) == target::Escape::Json) {
    rapidjson::Document doc;
    p.json = !doc.Parse(p.body.data(), p.body.size()).HasParseError();
  }
  return p;
}

std::string dry_run_line(const Channel& channel, std::string_view event_json) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  const bool flashduty = channel.target->kind() == "flashduty";
  const Preview p = flashduty ? Preview{} : preview(channel, event_json);
  w.StartObject();
  w.Key("channel");
  str(channel.name);
  if (!flashduty) {
    w.Key("kind");
    str(channel.target->kind());
  }
  w.Key("url");
  str(flashduty || !p.error.empty() ? redact_url(channel.url, channel.redact) : p.url);
  if (flashduty) {
    w.Key("body");
    w.RawValue(event_json.data(), event_json.size(), rapidjson::kObjectType);
  } else if (!p.error.empty()) {
    w.Key("error");
    str(p.error);
  } else {
    w.Key("body");
    if (p.json) {
      w.RawValue(p.body.data(), p.body.size(), rapidjson::kObjectType);
    } else {
      str(p.body);
    }
  }
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

}  // namespace cmrelay
