// The target seam from the sender's side: a kind defined here, not in src/, is delivered by
// the real Sender against the real loopback sink. The sender sends what the target renders
// (URL, headers, body), acts on what it judges, paces at its default budget, dead-letters
// the Flashduty event (not the rendered body), and masks the target's secrets.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

#include "net/deliver/sender.h"
#include "net/deliver/sink.h"

using namespace cmrelay;
using namespace std::chrono;
using cmrelay::test::Sink;

namespace {

// Renders "KEY=<alert_key>" as text/plain to the channel URL plus "&extra=<its secret>";
// judges a body holding "error" as refused, quoting the body.
class Plain final : public target::Target {
 public:
  std::string_view kind() const override { return "plain"; }
  std::vector<std::pair<std::string, std::string>> headers() const override {
    return {{"Content-Type", "text/plain"}, {"X-Kind", "plain"}};
  }
  size_t render(std::span<const std::string_view> events, std::string_view url, const target::RenderContext&,
                target::Request& out, std::string& error) const override {
    rapidjson::Document d;
    d.Parse(events.front().data(), events.front().size());
    std::string key = d["alert_key"].GetString();
    if (key == "unrenderable") {
      error = "cannot render this one";
      return 0;
    }
    out.body_text = "KEY=" + key + " TOKEN=" + kSecret;
    out.use_body_text();
    out.url_text.assign(url).append("&extra=").append(kSecret);
    out.use_url_text();
    return 1;
  }
  target::Judgement judge(const target::Response& r) const override {
    target::Judgement j;
    j.http_status = r.status;
    j.verdict = target::Verdict::Delivered;
    if (r.body.find("error") != std::string_view::npos) {
      j.verdict = target::Verdict::Fail;
      j.error = "refused: " + std::string(r.body);
    }
    return j;
  }
  std::string default_rate(std::string_view) const override { return "2/s"; }
  std::string budget_key(std::string_view) const override { return "one robot"; }
  std::vector<std::string> secrets() const override { return {kSecret}; }
  static constexpr const char* kSecret = "plain-s3cret-value";
};

std::shared_ptr<const std::string> event(const std::string& key) {
  return std::make_shared<const std::string>(R"({"event_status":"Warning","title_rule":"t","alert_key":")" + key +
                                             R"(","description":"","labels":{}})");
}

}  // namespace

TEST_CASE("the sender sends what the target renders, paced at its default budget") {
  Sink sink;
  Channel ch{"robot", "", sink.url("/s/200?token=tok"), {{"X-Team", "ops"}}};
  ch.target = std::make_shared<Plain>();
  Channel twin{"robot2", "", sink.url("/s/200?token=other"), {}};
  twin.target = ch.target;  // The same budget key: one budget of 2/s for both.
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  deliver::Sender sender({}, dead, nullptr);
  for (int i = 0; i < 3; ++i) sender.submit(event("k" + std::to_string(i)), "k" + std::to_string(i), ch);
  sender.submit(event("t"), "t", twin);
  auto t0 = steady_clock::now();
  sender.drain();
  CHECK(steady_clock::now() - t0 >= milliseconds(900));  // 4 requests at 2/s: the third waits for the window.
  REQUIRE(sender.stats().size() == 2);
  CHECK(sender.stats()[0].delivered == 3);
  CHECK(sender.stats()[0].rate == "2/s");
  CHECK(sender.stats()[1].delivered == 1);
  std::vector<std::string> lines = sink.requests();
  REQUIRE(lines.size() == 4);
  rapidjson::Document d;
  d.Parse(lines[0].c_str());
  REQUIRE(d.IsObject());
  CHECK(std::string(d["body"].GetString()) == std::string("KEY=k0 TOKEN=") + Plain::kSecret);
  CHECK(std::string(d["content_type"].GetString()) == "text/plain");
  CHECK(std::string(d["headers"]["x-kind"].GetString()) == "plain");
  CHECK(std::string(d["headers"]["x-team"].GetString()) == "ops");  // The channel's own, after the target's.
  CHECK(std::string(d["path"].GetString()) == "/s/200");
}

TEST_CASE("what the target refuses, or cannot render, is dead-lettered as the Flashduty event, secrets masked") {
  Sink sink;
  Channel ch{"robot", "", sink.url("/s/401u?token=hook-token-1"), {}};  // Echoes the query: the secret.
  ch.target = std::make_shared<Plain>();
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  deliver::Sender sender({}, dead, nullptr);
  sender.submit(event("refused"), "refused", ch);
  sender.submit(event("unrenderable"), "unrenderable", ch);
  sender.drain();
  CHECK(sender.stats()[0].dead_lettered == 2);
  REQUIRE(sink.requests().size() == 1);  // The unrenderable one was never sent.
  std::ifstream in(sink.dir() + "/dead.ndjson");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(all.find(Plain::kSecret) == std::string::npos);
  std::istringstream lines(all);
  std::string line;
  int records = 0;
  while (std::getline(lines, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE(d.IsObject());
    const std::string key = d["event"]["alert_key"].GetString();  // The event, not the rendered text.
    const std::string why = d["error"].GetString();
    if (key == "refused") {
      CHECK(d["attempts"].GetInt() == 1);
      CHECK(why.starts_with("refused: "));
      CHECK(why.find("token=***&extra=***") != std::string::npos);  // The URL's and the target's secrets.
    } else {
      CHECK(key == "unrenderable");
      CHECK(d["attempts"].GetInt() == 0);
      CHECK(why == "cannot render this one");
    }
    ++records;
  }
  CHECK(records == 2);
}
