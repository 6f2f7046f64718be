// PagerDuty Events API v2: a firing event is event_action "trigger" with dedup_key (the
// alert key; a stable digest when it is longer than 255 bytes), payload.summary (the title,
// or the channel's template, cut to 1024 characters), payload.source (the resource),
// payload.severity (critical, warning, info), payload.timestamp and custom_details (the
// labels and the description); a recovery is "resolve" with the same dedup_key. 202 is
// accepted; 429 (not ingested) and 5xx are retried; any other 4xx is refused with
// PagerDuty's message. The routing key is in the body: about 120 events a minute per key.
#include <rapidjson/document.h>

#include "target/event_view.h"
#include "target/kinds.h"
#include "target/message.h"
#include "text/hash.h"
#include "text/utf8.h"

namespace cmrelay::target {
namespace {

constexpr size_t kMaxDedupKey = 255;
constexpr size_t kMaxSummary = 1024;

std::string_view severity(std::string_view status) {
  if (status == "Critical") return "critical";
  if (status == "Warning") return "warning";
  return "info";
}

std::string dedup_key(const std::string& alert_key) {
  if (alert_key.size() <= kMaxDedupKey) return alert_key;
  return "cmrelay/h/" + text::fnv1a64_hex(alert_key);
}

// PagerDuty's {"status":"invalid event","message":"Event object is invalid","errors":[...]}.
void read_refusal(std::string_view body, Judgement& j) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return;
  const rapidjson::Value& root = doc;
  auto msg = root.FindMember("message");
  if (msg != root.MemberEnd() && msg->value.IsString()) j.error_message = msg->value.GetString();
  auto status = root.FindMember("status");
  if (status != root.MemberEnd() && status->value.IsString()) j.error_code = status->value.GetString();
  auto errors = root.FindMember("errors");
  if (errors == root.MemberEnd() || !errors->value.IsArray()) return;
  for (const rapidjson::Value& e : errors->value.GetArray()) {
    if (!e.IsString()) continue;
    j.error_message += j.error_message.empty() ? "" : "; ";
    j.error_message += e.GetString();
  }
}

class PagerDuty final : public Target {
 public:
  PagerDuty(const Settings& s, std::shared_ptr<const Template> summary)
      : channel_(s.channel), routing_key_(*s.get("routing_key")), summary_(std::move(summary)) {}

  std::string_view kind() const override { return "pagerduty"; }
  std::vector<std::pair<std::string, std::string>> headers() const override {
    return {{"Content-Type", "application/json"}};
  }
  std::string default_rate(std::string_view) const override { return "120/m"; }
  std::string budget_key(std::string_view) const override { return "pagerduty " + routing_key_; }
  std::vector<std::string> secrets() const override { return {routing_key_}; }

  size_t render(std::span<const std::string_view> events, std::string_view channel_url, const RenderContext&,
                Request& out, std::string& error) const override {
    EventView e;
    if (!read_event(events.front(), e)) {
      error = "the event is not a Flashduty standard event";
      return 0;
    }
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    w.StartObject();
    w.Key("routing_key");
    str(routing_key_);
    w.Key("event_action");
    w.String(e.recovery() ? "resolve" : "trigger");
    w.Key("dedup_key");
    str(dedup_key(e.alert_key));
    if (!e.recovery()) {
      std::string summary = summary_ ? summary_->render(e, channel_) : e.title;
      utf8::truncate(summary, kMaxSummary);
      std::string_view source = e.resource();
      w.Key("payload");
      w.StartObject();
      w.Key("summary");
      str(summary);
      w.Key("source");
      str(source.empty() ? std::string_view("cmrelay") : source);
      w.Key("severity");
      str(severity(e.status));
      if (e.event_time != 0) {
        w.Key("timestamp");
        str(iso_time(e.event_time));
      }
      w.Key("custom_details");
      w.StartObject();
      for (const auto& [k, v] : e.labels) {
        str(k);
        str(v);
      }
      w.Key("description");
      str(e.description);
      w.EndObject();
      w.EndObject();
    }
    w.EndObject();
    out.url = channel_url;
    use_json(sb, out);
    return 1;
  }

  Judgement judge(const Response& r) const override { return judge_by_status(r, read_refusal); }

 private:
  std::string channel_, routing_key_;
  std::shared_ptr<const Template> summary_;
};

std::shared_ptr<const Target> make(const Settings& s, Problem& p) {
  const std::string* key = s.get("routing_key");
  if (key == nullptr || key->empty()) {
    p.key = key == nullptr ? "" : "routing_key";
    p.message = key == nullptr ? "needs routing_key (the integration's key, from PagerDuty's Events API v2)"
                               : "routing_key is empty";
    return nullptr;
  }
  std::shared_ptr<const Template> summary;
  if (const std::string* t = s.get("template")) {
    if (!(summary = Template::parse(*t, Escape::None, p))) return nullptr;
  }
  return std::make_shared<PagerDuty>(s, summary);
}

}  // namespace

extern const Kind kPagerDutyKind;
const Kind kPagerDutyKind{
    "pagerduty", "https://events.pagerduty.com/v2/enqueue", {{"routing_key", true}, {"template", false, true}}, make};

}  // namespace cmrelay::target
