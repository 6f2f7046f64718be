#include <doctest/doctest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>

#include "detect/detect.h"
#include "deliver/deadletter.h"
#include "output/ndjson.h"

using namespace cmrelay;

namespace {

Event sample_event() {
  Event e;
  e.status = Status::Ok;
  e.title = "Recovered: cpu on \"web-1\"\n";
  e.alert_key = "volc.metric/1/i-1";
  e.description = "line 1\nline 2 \xe4\xb8\xad";
  e.labels.add("source", "volcengine");
  e.labels.add("team", "ops");
  e.event_time = 1750140300;
  return e;
}

std::string json_of(const Event& e) {
  rapidjson::StringBuffer sb;
  append_event_json(e, sb);
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace

TEST_CASE("a dead-letter record is one line holding the event, and reads back as the same event") {
  std::string event_json = json_of(sample_event());
  deliver::DeadLetter d;
  d.time = 1795311270;
  d.channel = "dba";
  d.url = "https://h/p?integration_key=***";
  d.attempts = 3;
  d.http_status = 429;
  d.error = "HTTP 429 RequestTooFrequently: slow down";
  d.error_code = "RequestTooFrequently";
  d.error_message = "slow down";
  d.event_json = event_json;
  std::string line = deliver::format_dead_letter(d);
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);

  rapidjson::Document doc;
  doc.Parse(line.data(), line.size() - 1);
  REQUIRE(doc.IsObject());
  CHECK(std::string(doc["time"].GetString()) == "2026-11-22T01:34:30Z");
  CHECK(std::string(doc["channel"].GetString()) == "dba");
  CHECK(doc["attempts"].GetInt() == 3);
  CHECK(doc["http_status"].GetInt() == 429);
  CHECK(std::string(doc["error_code"].GetString()) == "RequestTooFrequently");

  // Detected as a dead-letter record and decoded back into the very same event.
  Detection det = detect(doc);
  REQUIRE(det.format != nullptr);
  CHECK(det.format->id == "deadletter");
  json::Parser parser;
  std::vector<std::string> warnings;
  Record rec;
  SeverityTable severity;
  DecodeContext ctx{severity, parser, warnings, rec};
  EventBatch out;
  det.format->decode(doc, ctx, out);
  REQUIRE(out.size() == 1);
  CHECK(json_of(out[0]) == event_json);
  CHECK(deliver::dead_letter_channel(line) == "dba");
}

TEST_CASE("dead_letter_channel is empty for anything but a record with a channel") {
  CHECK(deliver::dead_letter_channel(R"({"channel":"ops","event":{}})") == "ops");
  CHECK(deliver::dead_letter_channel(R"({"channel":3})").empty());
  CHECK(deliver::dead_letter_channel("[1]").empty());
  CHECK(deliver::dead_letter_channel("{bad").empty());
}

TEST_CASE("absent status and error code are left out of the record") {
  deliver::DeadLetter d;
  d.channel = "url";
  d.url = "http://127.0.0.1:9/";
  d.attempts = 5;
  d.error = "Couldn't connect to server";
  d.event_json = R"({"event_status":"Info","title_rule":"t","alert_key":"","description":"","labels":{}})";
  std::string line = deliver::format_dead_letter(d);
  CHECK(line.find("http_status") == std::string::npos);
  CHECK(line.find("error_code") == std::string::npos);
  CHECK(line.find(R"("event":{"event_status":"Info")") != std::string::npos);
}

// Found by deliver_fuzz: dead_letter_channel parsed recursively; deep text overflowed the stack.
TEST_CASE("dead_letter_channel on deeply nested text is empty, not a crash") {
  CHECK(cmrelay::deliver::dead_letter_channel(std::string(100000, '[')).empty());
  CHECK(cmrelay::deliver::dead_letter_channel(std::string(100000, '{')).empty());
}
