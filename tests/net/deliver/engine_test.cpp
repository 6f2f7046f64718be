// The one delivery loop without the network: events routed nowhere are dead-lettered as such,
// through the bounded hand-over (more events than the inbox holds), every one accounted for;
// the two policies (kStop for send, kStopAndDrain for serve) on a stop signal. The signals are
// each test's own record, set as the handlers set it (cli/signals_test.cpp raises real ones).
#include "net/deliver/engine.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace cmrelay;

TEST_CASE("engine: events routed nowhere are dead-lettered, each once, past the inbox's capacity") {
  char dir_template[] = "/tmp/cmrelay-engine-test-XXXXXX";
  std::string dir = ::mkdtemp(dir_template);
  std::string path = dir + "/dead.ndjson";
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(path, error));
  signals::Received none;  // No signal comes.
  deliver::Sender sender(deliver::DeliveryOptions{}, dead, &none.stops);
  constexpr int kEvents = 3000;  // The inbox holds 1024: the reader waits for the loop.
  uint64_t last_tick = 0;
  deliver::RunResult run = deliver::deliver_all(
      [](deliver::Feed& feed) {
        const std::vector<const Channel*> nowhere;
        for (int i = 0; i < kEvents; ++i) {
          feed.body_begins();
          feed.event("{\"alert_key\":\"k-" + std::to_string(i) + "\"}", "k-" + std::to_string(i), nowhere, 0);
          feed.body_ends();
        }
      },
      sender, dead, [&](uint64_t bodies) { last_tick = bodies; }, none);
  CHECK(run.joined);
  CHECK(run.not_handed == 0);
  CHECK(run.unrouted_failed == 0);
  CHECK(last_tick <= kEvents);

  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE(d.IsObject());
    CHECK(std::string(d["channel"].GetString()).empty());
    CHECK(std::string(d["error"].GetString()) == "routed to no channel");
    CHECK(std::string(d["event"]["alert_key"].GetString()) == "k-" + std::to_string(n));  // In order.
  }
  CHECK(n == kEvents);
  std::system(("rm -rf '" + dir + "'").c_str());
}

namespace {

// A dead-letter file in a fresh directory; its records, one per line.
struct DeadFile {
  std::string dir;
  std::string path;
  deliver::DeadLetterFile file;
  DeadFile() {
    char t[] = "/tmp/cmrelay-engine-test-XXXXXX";
    dir = ::mkdtemp(t);
    path = dir + "/dead.ndjson";
    std::string error;
    REQUIRE(file.open(path, error));
  }
  ~DeadFile() { std::system(("rm -rf '" + dir + "'").c_str()); }
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      rapidjson::Document d;
      d.Parse(line.c_str());
      out.emplace_back(d.IsObject() ? d["error"].GetString() : "?");
    }
    return out;
  }
};

// A channel nothing is sent to in these tests: every event is dead-lettered before its first
// attempt (a stop came), so no request is made.
Channel nowhere_channel() {
  Channel ch;
  ch.name = "c";
  ch.url = "http://127.0.0.1:9/x";
  return ch;
}

}  // namespace

TEST_CASE("engine, kStop: the first signal stops the reading; every event read is dead-lettered, none lost") {
  DeadFile dead;
  signals::Received sig;
  deliver::Sender sender(deliver::DeliveryOptions{}, dead.file, &sig.stops);
  const Channel ch = nowhere_channel();
  std::atomic<int> handed{0};
  deliver::RunResult run = deliver::deliver_all(
      [&](deliver::Feed& feed) {
        const std::vector<const Channel*> to{&ch};
        for (int i = 0; i < 100000 && !sig.stop.load(); ++i) {  // Reads until stopped, as a pipeline does.
          feed.body_begins();
          feed.event(R"({"alert_key":"k"})", "k-" + std::to_string(i), to, 0);
          handed.fetch_add(1);
          feed.body_ends();
          if (i == 20) {  // What the handler does on SIGTERM.
            sig.first.store(SIGTERM);
            sig.stops.fetch_add(1);
            sig.stop.store(true);
          }
        }
      },
      sender, dead.file, [](uint64_t) {}, sig);
  CHECK(run.joined);
  CHECK(run.not_handed == 0);
  CHECK(handed.load() == 21);         // Nothing read after the signal.
  CHECK(dead.errors().size() == 21);  // Every event read: dead-lettered (port 9 takes none).
  CHECK(sig.exit_status(0) == 128 + SIGTERM);
}

TEST_CASE("engine, kStop: a second signal abandons a reading blocked on its input and settles what was handed") {
  DeadFile dead;
  signals::Received sig;
  // The abandoned reader outlives the run, as in send (which then ends the process at once):
  // the Sender it wakes when it ends is kept for the rest of this process, never destroyed.
  static deliver::Sender* kept = nullptr;
  kept = new deliver::Sender(deliver::DeliveryOptions{}, dead.file, &sig.stops);
  deliver::Sender& sender = *kept;
  const Channel ch = nowhere_channel();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const int input = fds[0];
  int ticks = 0;
  // Set once the three events are handed over: the signals come after it, however slowly a
  // loaded machine runs the reader (static: the reader outlives this scope).
  static std::atomic<bool> fed{false};
  fed.store(false);
  deliver::RunResult run = deliver::deliver_all(
      [input, &ch](deliver::Feed& feed) {  // Outlives the run: ch is used only before it blocks.
        const std::vector<const Channel*> to{&ch};
        for (int i = 0; i < 3; ++i) feed.event(R"({"alert_key":"k"})", "k", to, 0);
        fed.store(true);
        char c;
        while (::read(input, &c, 1) < 0 && errno == EINTR) {
        }  // A FIFO with no writer yet: blocked until the test closes it.
      },
      sender, dead.file,
      [&](uint64_t) {
        if (fed.load() && ++ticks == 3) sig.stops.store(2);  // Two signals: the second ends the run at once.
      },
      sig);
  CHECK_FALSE(run.joined);
  // What was handed over is dead-lettered before the end; what came after the seal is counted.
  CHECK(dead.errors().size() + run.not_handed == 3);
  // The abandoned reader sees its input end now, and returns (its read end is left open, so
  // that no later file can take that number under it).
  ::close(fds[1]);
}

namespace {

// A source like serve's: nothing ends on its own; counts what the loop asked of it.
struct Spool : deliver::Source {
  signals::Received& sig;
  int stop_after_ticks;   // The first (and only) signal comes at this tick.
  int second_after = 0;   // A second one this many ticks after the first (0: none).
  int finish_after = -1;  // Work in flight ends this many ticks after the stop (-1: never).
  int ticks = 0, takes = 0, takes_after_stop = 0, stopping_calls = 0;
  int stopped_at = -1;

  Spool(signals::Received& s, int stop_at) : sig(s), stop_after_ticks(stop_at) {}
  bool take(deliver::Sender&) override {
    ++takes;
    if (stopped_at >= 0) ++takes_after_stop;
    return true;
  }
  bool unfinished() const override { return finish_after < 0 || ticks < stopped_at + finish_after; }
  void tick() override {
    ++ticks;
    if (ticks == stop_after_ticks) sig.stops.store(1);
    if (second_after > 0 && ticks == stop_after_ticks + second_after) sig.stops.store(2);
  }
  void stopping(int) override {
    ++stopping_calls;
    if (stopped_at < 0) stopped_at = ticks;
  }
};

}  // namespace

TEST_CASE("engine, kStopAndDrain: taking stops at the signal; the run ends when the work in flight ends") {
  DeadFile dead;
  signals::Received sig;
  deliver::Sender sender(deliver::DeliveryOptions{}, dead.file, nullptr);
  Spool spool(sig, 3);
  spool.finish_after = 4;
  deliver::run(spool, sender, {deliver::OnStop::kStopAndDrain, std::chrono::seconds(60)}, sig);
  CHECK(spool.stopped_at == 3);
  CHECK(spool.takes == 2);  // Before the signal only.
  CHECK(spool.takes_after_stop == 0);
  CHECK(spool.ticks == 3 + 4);  // Drained well inside the minute.
  CHECK(spool.stopping_calls == spool.ticks - 2);
}

TEST_CASE("engine, kStopAndDrain: the drain time bounds the wait; a second signal ends it at once") {
  DeadFile dead;
  signals::Received sig;
  deliver::Sender sender(deliver::DeliveryOptions{}, dead.file, nullptr);
  Spool forever(sig, 2);  // Its work never ends.
  deliver::run(forever, sender, {deliver::OnStop::kStopAndDrain, std::chrono::milliseconds(250)}, sig);
  CHECK(forever.stopped_at == 2);
  CHECK(forever.ticks >= 3);  // Polled (100 ms a turn) until the deadline, not beyond a few turns.
  CHECK(forever.ticks <= 2 + 30);

  signals::Received sig2;
  Spool twice(sig2, 2);
  twice.second_after = 2;
  deliver::run(twice, sender, {deliver::OnStop::kStopAndDrain, std::chrono::seconds(60)}, sig2);
  CHECK(twice.ticks == 4);  // Ended on the turn the second signal was seen.
}
