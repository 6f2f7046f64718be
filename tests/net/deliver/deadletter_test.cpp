#include "net/deliver/deadletter.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "output/ndjson.h"
#include "support.h"
#include "text/utf8.h"
#include "vendors/detect.h"
#include "vendors/flashduty.h"

using namespace cmrelay;
using test::CaptureStderr;

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
  CHECK(out[0].replay_channel == "dba");  // Handed over by the decoder: routing never parses the record again.
}

namespace {

// The channel the deadletter decoder hands over with a record's event.
std::string replay_channel_of(const std::string& record) {
  test::Decoded d = test::decode_json(record);
  REQUIRE(d.format == "deadletter");
  REQUIRE(d.events.size() == 1);
  return d.events[0].replay_channel;
}

}  // namespace

TEST_CASE("a record's channel reaches its event only when it is a string") {
  const std::string event = R"("event":{"event_status":"Info","title_rule":"t"},"attempts":1)";
  CHECK(replay_channel_of(R"({"channel":"ops",)" + event + "}") == "ops");
  CHECK(replay_channel_of(R"({"channel":"",)" + event + "}").empty());  // Routed nowhere: routed afresh.
  CHECK(replay_channel_of(R"({"channel":3,)" + event + "}").empty());
  CHECK(replay_channel_of(R"({"channel":null,)" + event + "}").empty());
  // Every event a batch reuses starts without one.
  EventBatch batch;
  batch.next().replay_channel = "ops";
  batch.clear();
  CHECK(batch.next().replay_channel.empty());
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

TEST_CASE("a server's message that is not UTF-8 is written escaped: the record stays JSON and replays") {
  deliver::DeadLetter d;
  d.channel = "ops";
  d.url = "http://127.0.0.1:9/";
  d.attempts = 1;
  d.http_status = 400;
  d.error = "HTTP 400: \xe9\x87 bad";  // A character cut in two, as a server may send it.
  d.error_message = "\xff";
  d.event_json = R"({"event_status":"Info","title_rule":"t"})";
  const std::string line = deliver::format_dead_letter(d);
  CHECK(utf8::valid(line));
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size() - 1);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["error"].GetString()) == "HTTP 400: \\xe9\\x87 bad");
  CHECK(std::string(doc["error_message"].GetString()) == "\\xff");
  CHECK(replay_channel_of(line.substr(0, line.size() - 1)) == "ops");
  // Valid text, backslashes included, is written as it was.
  d.error = "HTTP 400: C:\\path \xe9\x87\x8d";
  d.error_message = {};
  rapidjson::Document again;
  const std::string valid = deliver::format_dead_letter(d);
  again.Parse(valid.data(), valid.size() - 1);
  REQUIRE_FALSE(again.HasParseError());
  CHECK(std::string(again["error"].GetString()) == d.error);
}

namespace {

// Standard error sent to a pipe while this lives (not a file: a test's file size limit
// would apply to it too); text() is what came, once it is gone.
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string some_record() {
  deliver::DeadLetter d;
  d.channel = "url";
  d.url = "http://127.0.0.1:9/";
  d.attempts = 1;
  d.http_status = 400;
  d.error = "HTTP 400";
  std::string event_json = json_of(sample_event());
  d.event_json = event_json;
  return deliver::format_dead_letter(d);
}

}  // namespace

TEST_CASE("a record the dead-letter file does not take goes to stderr in full") {
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open("/dev/full", error));
  std::string record = some_record();
  std::string err;
  bool written;
  {
    CaptureStderr capture(err);
    written = dead.write(record);
  }
  CHECK(!written);
  CHECK(err.find("cannot write the dead-letter file") != std::string::npos);
  CHECK(err.find("\n" + record) != std::string::npos);  // Whole, on a line of its own.
}

TEST_CASE("a short write leaves no part of a record for the next one to be glued to") {
  char dir_template[] = "/tmp/cmrelay-deadletter-test-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string path = dir + "/dead.ndjson";
  std::string record = some_record();
  REQUIRE(record.size() > 40);
  {
    std::ofstream out(path);
    out << record;
  }
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(path, error));

  // A file size limit 20 bytes past the end: write() takes 20 bytes of the next record,
  // then nothing (EFBIG; SIGXFSZ ignored meanwhile).
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  rlimit small = saved;
  small.rlim_cur = static_cast<rlim_t>(record.size() + 20);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string err;
  bool written;
  {
    CaptureStderr capture(err);
    written = dead.write(record);
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  CHECK(!written);
  CHECK(err.find(record) != std::string::npos);  // The record on stderr.
  CHECK(slurp(path) == record);                  // The 20 bytes were cut off again.

  CHECK(dead.write(record));  // The next record starts a line of its own.
  CHECK(slurp(path) == record + record);
  std::system(("rm -rf '" + dir + "'").c_str());
}
