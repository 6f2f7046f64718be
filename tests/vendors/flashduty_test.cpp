#include <doctest/doctest.h>
#include <rapidjson/stringbuffer.h>

#include "output/ndjson.h"
#include "vendors/detect.h"

using namespace cmrelay;

namespace {

// Detects and decodes one JSON text; returns the format id and the re-encoded events,
// or "error: ..." when it does not convert.
std::string roundtrip(std::string_view text) {
  json::Parser parser;
  std::string error;
  json::Value* body = parser.parse(text, error);
  if (body == nullptr) return "error: " + error;
  Detection d = detect(*body);
  if (d.format == nullptr) return "error: " + d.error;
  std::vector<std::string> warnings;
  Record rec;
  SeverityTable severity;
  DecodeContext ctx{severity, parser, warnings, rec};
  EventBatch out;
  try {
    d.format->decode(*body, ctx, out);
  } catch (const DecodeError& e) {
    return std::string("error: ") + e.what();
  }
  std::string result(d.format->id);
  for (const Event& e : out) {
    rapidjson::StringBuffer sb;
    append_event_json(e, sb);
    result += " ";
    result += sb.GetString();
  }
  return result;
}

}  // namespace

TEST_CASE("a Flashduty standard event as convert prints it reads back unchanged") {
  std::string event =
      R"({"event_status":"Warning","title_rule":"t","alert_key":"k/1","description":"d","labels":{"a":"1","b":"x"},"event_time":17})";
  CHECK(roundtrip(event) == "flashduty " + event);
  // A minimal one: the missing fields are written empty, as convert does.
  CHECK(roundtrip(R"({"event_status":"Info","title_rule":"t"})") ==
        R"(flashduty {"event_status":"Info","title_rule":"t","alert_key":"","description":"","labels":{}})");
}

TEST_CASE("event_status is validated as Flashduty does") {
  CHECK(roundtrip(R"({"event_status":"critical","title_rule":"t"})")
            .starts_with("error: field event_status: expected Critical"));
  CHECK(roundtrip(R"({"event_status":3,"title_rule":"t"})").find("got a number") != std::string::npos);
  CHECK(roundtrip(R"({"event_status":"Ok","title_rule":"t"})") ==
        "error: field alert_key: required when event_status is Ok");
  CHECK(roundtrip(R"({"event_status":"Info","title_rule":""})") == "error: field title_rule: empty");
  CHECK(
      roundtrip(R"({"event_status":"Info","title_rule":"t","labels":{"a":{}}})").starts_with("error: field labels.a"));
}

TEST_CASE("a dead-letter record replays its event") {
  CHECK(roundtrip(R"({"time":"x","channel":"url","url":"u","attempts":2,"error":"e",)"
                  R"("event":{"event_status":"Ok","title_rule":"t","alert_key":"k"}})") ==
        R"(deadletter {"event_status":"Ok","title_rule":"t","alert_key":"k","description":"","labels":{}})");
  CHECK(roundtrip(R"({"channel":"url","attempts":2,"event":{"event_status":"Bad","title_rule":"t"}})")
            .starts_with("error: field event.event_status"));
}

TEST_CASE("flashduty: images pass through; unknown fields are warned about, never dropped silently") {
  const char* with_images =
      R"({"event_status":"Warning","title_rule":"t","alert_key":"k","images":[{"src":"https://i/a.png","href":"https://i","alt":"cpu"},{"src":"https://i/b.png"}]})";
  CHECK(
      roundtrip(with_images) ==
      R"(flashduty {"event_status":"Warning","title_rule":"t","alert_key":"k","description":"","labels":{},"images":[{"src":"https://i/a.png","href":"https://i","alt":"cpu"},{"src":"https://i/b.png"}]})");
  CHECK(roundtrip(R"({"event_status":"Ok","title_rule":"t","alert_key":"k","images":{}})") ==
        "error: field images: expected an array, got an object");
  CHECK(roundtrip(R"({"event_status":"Ok","title_rule":"t","alert_key":"k","images":[{"alt":"x"}]})") ==
        "error: field images[0].src: required");
  // A dead-letter record's event keeps them too.
  CHECK(
      roundtrip(
          R"({"channel":"c","attempts":1,"event":{"event_status":"Info","title_rule":"t","images":[{"src":"s"}]}})") ==
      R"(deadletter {"event_status":"Info","title_rule":"t","alert_key":"","description":"","labels":{},"images":[{"src":"s"}]})");

  json::Parser parser;
  std::string error;
  json::Value* body = parser.parse(
      R"({"event_status":"Info","title_rule":"t","extra":1,"channels":["a"],"images":[{"src":"s","size":3}]})", error);
  REQUIRE(body != nullptr);
  std::vector<std::string> warnings;
  Record rec;
  SeverityTable severity;
  DecodeContext ctx{severity, parser, warnings, rec};
  EventBatch out;
  detect(*body).format->decode(*body, ctx, out);
  CHECK(warnings ==
        std::vector<std::string>{"field images[0].size is not a Flashduty image field; not sent",
                                 "field extra is not a Flashduty standard event field; not sent",
                                 "field channels (what convert --routes adds) is not part of the event; not kept"});
}
