// The engine's loop without the network: events routed nowhere are dead-lettered as such,
// through the bounded hand-over (more events than the inbox holds), every one accounted for.
#include "net/deliver/engine.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <fstream>
#include <string>

using namespace cmrelay;

TEST_CASE("engine: events routed nowhere are dead-lettered, each once, past the inbox's capacity") {
  char dir_template[] = "/tmp/cmrelay-engine-test-XXXXXX";
  std::string dir = ::mkdtemp(dir_template);
  std::string path = dir + "/dead.ndjson";
  deliver::DeadLetterFile dead;
  std::string error;
  REQUIRE(dead.open(path, error));
  deliver::Interrupts& interrupts = deliver::catch_interrupts();
  deliver::Sender sender(deliver::DeliveryOptions{}, dead, &interrupts.count);
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
      sender, dead, [&](uint64_t bodies) { last_tick = bodies; });
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
