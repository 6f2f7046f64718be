// The delivery engine on its own, against the real loopback sink: channel headers, a
// channel's own timeout, the dead-letter file, and the counts.
#include "net/deliver/sender.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "net/deliver/sink.h"

using namespace cmrelay;
using namespace std::chrono;
using cmrelay::test::Sink;

namespace {

std::shared_ptr<const std::string> event(const std::string& key) {
  return std::make_shared<const std::string>(R"({"event_status":"Warning","title_rule":"t","alert_key":")" + key +
                                             R"(","description":"","labels":{}})");
}

// Polls for about d.
void poll_for(deliver::Sender& sender, milliseconds d) {
  auto end = steady_clock::now() + d;
  while (steady_clock::now() < end) sender.poll(10);
}

struct Request {
  double t = 0;
  std::string path, alert_key;
  double retry_at = 0;  // 0: no Retry-After sent.
};

std::vector<Request> parse_requests(const Sink& sink) {
  std::vector<Request> out;
  for (const std::string& line : sink.requests()) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE(d.IsObject());
    Request r;
    r.t = d["t"].GetDouble();
    r.path = d["path"].GetString();
    r.alert_key = d["alert_key"].GetString();
    if (d["retry_at"].IsNumber()) r.retry_at = d["retry_at"].GetDouble();
    out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_CASE("a channel's headers are sent, and its timeout wins over the default") {
  Sink sink;
  Channel with_headers{"ops", "", sink.url("/s/200?token=tok"), {{"Authorization", "Bearer abc"}, {"X-Team", "ops"}}};
  Channel hanging{"slow", "", sink.url("/s/hang10"), {}, milliseconds(300)};
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  deliver::DeliveryOptions options;
  options.timeout = seconds(20);
  options.max_attempts = 1;
  std::atomic<int> signals{0};
  deliver::Sender sender(options, dead, &signals);
  sender.submit(event("h-1"), "h-1", with_headers);
  sender.submit(event("h-2"), "h-2", with_headers);
  sender.submit(event("slow-1"), "slow-1", hanging);
  auto t0 = steady_clock::now();
  sender.drain();
  auto took = steady_clock::now() - t0;
  CHECK(took < seconds(5));  // The channel's 300 ms, not the default 20 s.

  REQUIRE(sender.stats().size() == 2);
  const deliver::ChannelStats& ops = sender.stats()[0];
  CHECK(ops.name == "ops");
  CHECK(ops.url == sink.url("/s/200?token=***"));
  CHECK(ops.events == 2);
  CHECK(ops.delivered == 2);
  CHECK(ops.dead_lettered == 0);
  const deliver::ChannelStats& slow = sender.stats()[1];
  CHECK(slow.attempts == 1);
  CHECK(slow.dead_lettered == 1);

  int with_auth = 0;
  for (const std::string& line : sink.requests()) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE(d.IsObject());
    if (std::string(d["path"].GetString()) != "/s/200") continue;
    const rapidjson::Value& h = d["headers"];
    CHECK(std::string(h["authorization"].GetString()) == "Bearer abc");
    CHECK(std::string(h["x-team"].GetString()) == "ops");
    CHECK(std::string(h["content-type"].GetString()) == "application/json");
    CHECK(!h.HasMember("expect"));
    ++with_auth;
  }
  CHECK(with_auth == 2);

  std::ifstream in(sink.dir() + "/dead.ndjson");
  std::string record;
  REQUIRE(std::getline(in, record));
  rapidjson::Document d;
  d.Parse(record.c_str());
  REQUIRE(d.IsObject());
  CHECK(std::string(d["channel"].GetString()) == "slow");
  CHECK(std::string(d["event"]["alert_key"].GetString()) == "slow-1");
  INFO(d["error"].GetString());
  CHECK(std::string(d["error"].GetString()).find("timed out") != std::string::npos);
}

TEST_CASE("after a signal, submitted events are dead-lettered without an attempt") {
  Sink sink;
  Channel ch{"url", "", sink.url("/s/200"), {}};
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  std::atomic<int> signals{1};
  deliver::Sender sender({}, dead, &signals);
  sender.submit(event("late-1"), "late-1", ch);
  sender.drain();
  CHECK(sender.stats()[0].attempts == 0);
  CHECK(sender.stats()[0].dead_lettered == 1);
  CHECK(sink.requests().empty());
}

TEST_CASE("after a signal, an alert_key's queued events are dead-lettered behind the one in flight") {
  Sink sink;
  Channel ch{"url", "", sink.url("/s/hang5"), {}, milliseconds(500)};
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  std::atomic<int> signals{0};
  deliver::Sender sender({}, dead, &signals);
  auto with_status = [](const std::string& status) {
    return std::make_shared<const std::string>(R"({"event_status":")" + status +
                                               R"(","title_rule":"t","alert_key":"k","description":"","labels":{}})");
  };
  sender.submit(with_status("Critical"), "k", ch);
  sender.submit(with_status("Ok"), "k", ch);
  poll_for(sender, milliseconds(200));  // Critical in flight, Ok queued behind it.
  signals = 1;
  sender.drain();
  CHECK(sender.stats()[0].attempts == 1);
  CHECK(sender.stats()[0].dead_lettered == 2);

  std::ifstream in(sink.dir() + "/dead.ndjson");
  std::vector<std::string> order;
  for (std::string record; std::getline(in, record);) {
    rapidjson::Document d;
    d.Parse(record.c_str());
    REQUIRE(d.IsObject());
    order.push_back(d["event"]["event_status"].GetString());
  }
  CHECK(order == std::vector<std::string>{"Critical", "Ok"});  // A replay sends them in this order.
}

TEST_CASE("no attempt starts once --max-elapsed has run out while the event waited for room") {
  // One request at a time. "a" gets 429 with Retry-After: 1 at once, so its retry is due
  // at 1 s, within its 1.2 s. "b", submitted at 0.5 s, hangs until 1.5 s and holds the one
  // slot past a's deadline: a must then be dead-lettered, not started.
  Sink sink;
  Channel limited{"limited", "", sink.url("/s/429s1,200"), {}};
  Channel hanging{"hanging", "", sink.url("/s/hang5"), {}};
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  deliver::DeliveryOptions options;
  options.concurrency = 1;
  options.timeout = milliseconds(1000);
  options.max_elapsed = milliseconds(1200);
  options.backoff_base = milliseconds(10);
  options.max_attempts = 10;
  std::atomic<int> signals{0};
  deliver::Sender sender(options, dead, &signals);
  sender.submit(event("a"), "a", limited);
  poll_for(sender, milliseconds(500));
  sender.submit(event("b"), "b", hanging);
  sender.drain();

  std::vector<Request> requests = parse_requests(sink);
  double a_first = 0;
  int a_requests = 0;
  for (const Request& r : requests) {
    if (r.alert_key != "a") continue;
    if (a_requests++ == 0) a_first = r.t;
    CHECK(r.t < a_first + 1.2);  // Nothing after the deadline.
  }
  CHECK(a_requests == 1);
  const deliver::ChannelStats& a = sender.stats()[0];
  CHECK(a.attempts == 1);
  CHECK(a.retried == 1);
  CHECK(a.dead_lettered == 1);
  CHECK(a.delivered == 0);

  std::ifstream in(sink.dir() + "/dead.ndjson");
  std::string record;
  bool found = false;
  while (std::getline(in, record)) {
    rapidjson::Document d;
    d.Parse(record.c_str());
    REQUIRE(d.IsObject());
    if (std::string(d["event"]["alert_key"].GetString()) != "a") continue;
    found = true;
    CHECK(std::string(d["error"].GetString()).find("--max-elapsed reached") != std::string::npos);
    CHECK(d["attempts"].GetInt() == 1);
  }
  CHECK(found);
}

TEST_CASE("a Retry-After on 429 pauses the whole channel, and only that channel") {
  Sink sink;
  Channel limited{"limited", "", sink.url("/s/429s1,200"), {}};
  Channel other{"other", "", sink.url("/s/200"), {}};
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  deliver::DeliveryOptions options;
  options.concurrency = 1;  // a-2 would otherwise be in flight before a-1's answer came.
  options.backoff_base = milliseconds(10);
  std::atomic<int> signals{0};
  deliver::Sender sender(options, dead, &signals);
  sender.submit(event("a-1"), "a-1", limited);
  sender.submit(event("a-2"), "a-2", limited);
  sender.submit(event("b-1"), "b-1", other);
  sender.submit(event("b-2"), "b-2", other);
  sender.drain();

  CHECK(sender.stats()[0].delivered == 2);
  CHECK(sender.stats()[1].delivered == 2);
  std::vector<Request> requests = parse_requests(sink);
  double first_pause = 0;
  for (const Request& r : requests) {
    if (r.retry_at > 0 && first_pause == 0) first_pause = r.retry_at;
  }
  REQUIRE(first_pause > 0);
  int limited_requests = 0;
  for (const Request& p : requests) {
    if (p.path == "/s/429s1,200") ++limited_requests;
    if (p.retry_at == 0) continue;
    for (const Request& r : requests) {
      // No request of the paused channel, whatever its alert_key, before the pause ends.
      if (r.path == p.path && r.t > p.t) CHECK_MESSAGE(r.t >= p.retry_at, r.alert_key);
    }
  }
  CHECK(limited_requests == 4);  // a-1 and a-2: a 429, then a 200 each.
  for (const Request& r : requests) {
    if (r.path == "/s/200") CHECK(r.t < first_pause);  // The other channel did not wait.
  }
}

TEST_CASE("the hooks report every attempt and every event's end once, with its tag") {
  Sink sink;
  Channel ok{"ok", "", sink.url("/s/500,200?token=tok"), {}};
  Channel bad{"bad", "", sink.url("/s/400"), {}};
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  deliver::DeliveryOptions options;
  options.backoff_base = milliseconds(10);
  deliver::Sender sender(options, dead, nullptr);
  std::vector<std::pair<uint64_t, bool>> ends;
  std::vector<std::string> attempts;
  deliver::SenderHooks hooks;
  hooks.on_done = [&](uint64_t tag, const Channel& ch, bool delivered) {
    ends.emplace_back(tag, delivered);
    CHECK((ch.name == "ok") == delivered);
  };
  hooks.on_attempt = [&](const deliver::AttemptReport& r) {
    attempts.push_back(r.channel->name + " " + std::to_string(r.attempt) + " " + std::to_string(r.http_status) + " " +
                       std::string(r.request_id) + " " + (r.delivered ? "ok" : std::string(r.error)));
  };
  sender.set_hooks(hooks);
  sender.submit(event("a"), "a", ok, 7);
  sender.submit(event("b"), "b", bad, 8);
  sender.drain();
  std::sort(ends.begin(), ends.end());
  CHECK(ends == std::vector<std::pair<uint64_t, bool>>{{7, true}, {8, false}});
  std::sort(attempts.begin(), attempts.end());
  REQUIRE(attempts.size() == 3);
  CHECK(attempts[0].rfind("bad 1 400 sink-", 0) == 0);
  CHECK(attempts[0].find(" HTTP 400") != std::string::npos);
  CHECK(attempts[1].rfind("ok 1 500  HTTP 500", 0) == 0);
  CHECK(attempts[2].rfind("ok 2 200 ", 0) == 0);
  CHECK(attempts[2].find("ok", 8) != std::string::npos);
}

TEST_CASE("forget_dead_lanes: an alert_key whose event was dead-lettered delivers again once its lane emptied") {
  Sink sink;
  Channel bad{"bad", "", sink.url("/s/400,200"), {}};
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(sink.dir() + "/dead.ndjson", error));
  for (bool forget : {false, true}) {
    deliver::DeliveryOptions options;
    options.forget_dead_lanes = forget;
    deliver::Sender sender(options, dead, nullptr);
    std::string key = forget ? "f-1" : "k-1";
    sender.submit(event(key), key, bad);  // 400: dead-lettered.
    sender.drain();
    sender.submit(event(key), key, bad);  // The sink would answer 200 now.
    sender.drain();
    CHECK(sender.stats()[0].delivered == (forget ? 1u : 0u));
    CHECK(sender.stats()[0].dead_lettered == (forget ? 1u : 2u));
  }
}
