// The open-alert state in Redis: the Store contract the state file keeps (state_test.cpp),
// run against both, and what only Redis does (TTL expiry, hosts at once, the index).
#include "net/state/redis_store.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "net/state/redis_server.h"

using namespace cmrelay::state;
using cmrelay::test::RedisServer;
using V = std::vector<std::string>;

namespace {

constexpr std::chrono::seconds kDay{86400};

// One store of each kind over a fresh place.
struct Both {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cmrelay-store-test-" + std::to_string(::getpid()));
  RedisServer redis;
  RedisLink link;
  std::vector<std::unique_ptr<Store>> stores;

  static RedisAddress address(const RedisServer& r) {
    RedisAddress a;
    std::string why;
    REQUIRE(parse_redis_url(r.url(), a, why));
    return a;
  }
  explicit Both(std::chrono::seconds max_age = 30 * kDay) : link(address(redis)) {
    std::filesystem::create_directories(dir);
    std::string why;
    REQUIRE(link.start(why));
    stores.push_back(open_file((dir / "state.db").string(), max_age));
    stores.push_back(std::make_unique<RedisStore>(link, max_age));
  }
  ~Both() {
    stores.clear();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

}  // namespace

TEST_CASE("state contract (file and Redis): remember merges channels, closed forgets them one by one") {
  Both both;
  for (auto& s : both.stores) {
    CAPTURE(s->where());
    s->remember("k", "Critical", "disk full", {"dba", "hot"}, 1000);
    s->remember("k", "Warning", "disk 90%", {"hot", "ops"}, 1060);
    OpenAlert a;
    REQUIRE(s->find("k", a));
    CHECK(a.alert_key == "k");
    CHECK(a.channels == V{"dba", "hot", "ops"});
    CHECK(a.severity == "Warning");
    CHECK(a.title == "disk 90%");
    CHECK(a.first_seen == 1000);
    CHECK(a.last_seen == 1060);
    s->closed("k", "dba", a.generation);
    s->closed("k", "nowhere", a.generation);
    REQUIRE(s->find("k", a));
    CHECK(a.channels == V{"hot", "ops"});
    s->closed("k", "hot", a.generation);
    s->closed("k", "ops", a.generation);
    CHECK_FALSE(s->find("k", a));
    OpenAlert none;
    CHECK_FALSE(s->find("never", none));
  }
}

TEST_CASE("state contract (file and Redis): a firing after the recovery looked the alert up keeps it open") {
  Both both;
  for (auto& s : both.stores) {
    CAPTURE(s->where());
    s->remember("k", "Critical", "t", {"dba"}, 1000);
    OpenAlert seen;
    REQUIRE(s->find("k", seen));
    s->remember("k", "Critical", "t", {"dba"}, 1001);
    s->closed("k", "dba", seen.generation);
    OpenAlert a;
    REQUIRE(s->find("k", a));
    CHECK(a.channels == V{"dba"});
    CHECK(a.generation != seen.generation);
  }
}

TEST_CASE("state contract (file and Redis): lists in key order a page at a time, forgets one and all") {
  Both both;
  for (auto& s : both.stores) {
    CAPTURE(s->where());
    // Keys that are awkward anywhere: spaces, quotes, newlines, non-ASCII, a colon.
    s->remember("a \"quoted\"\nkey", "Info", "t\x01", {"o\"ps", "dba"}, 5);
    s->remember("a \"quoted\"\nkey", "Info", "t\x01", {"dba", "\xe7\x81\xab/x"}, 6);  // Merged server-side.
    s->remember("\xe7\x81\xab:1", "Info", "\xe7\x81\xab", {"ops"}, 5);
    for (int i = 0; i < 2100; ++i) s->remember("k" + std::to_string(i), "Info", "t", {"ops"}, 5);
    size_t n = 0;
    std::string last;
    bool odd = false;
    s->each([&](const OpenAlert& a) {
      CHECK(a.alert_key > last);
      last = a.alert_key;
      if (a.alert_key == "a \"quoted\"\nkey")
        odd = a.channels == V{"o\"ps", "dba", "\xe7\x81\xab/x"} && a.title == "t\x01";
      ++n;
    });
    CHECK(n == 2102);
    CHECK(odd);
    CHECK(s->forget("k7"));
    CHECK_FALSE(s->forget("k7"));
    CHECK(s->forget_all() == 2101);
    OpenAlert a;
    CHECK_FALSE(s->find("k8", a));
    n = 0;
    s->each([&](const OpenAlert&) { ++n; });
    CHECK(n == 0);
  }
}

TEST_CASE("redis state: an alert expires max_age after its last firing, by Redis's own TTL") {
  Both both(std::chrono::seconds(1));
  RedisStore& s = dynamic_cast<RedisStore&>(*both.stores[1]);
  s.remember("short", "Info", "t", {"ops"}, 1);
  CHECK(both.redis.run({"TTL", "cmrelay:alert:short"}) == "1");
  OpenAlert a;
  REQUIRE(s.find("short", a));
  CHECK(RedisServer::within(std::chrono::seconds(3), [&] { return !s.find("short", a); }));
  // Still in the index until a listing or the sweep meets it.
  CHECK(both.redis.run({"ZCARD", "cmrelay:alerts"}) == "1");
  CHECK(s.expire(0) == 1);
  CHECK(both.redis.run({"ZCARD", "cmrelay:alerts"}) == "0");
  // One host of the fleet sweeps per kExpireEvery: the mark stays that long.
  s.expire_if_due();
  CHECK(both.redis.run({"TTL", "cmrelay:alerts:swept"}) == std::to_string(kExpireEvery));
  RedisStore none(both.link, std::chrono::seconds(0));
  none.remember("forever", "Info", "t", {"ops"}, 1);
  CHECK(both.redis.run({"TTL", "cmrelay:alert:forever"}) == "-1");
}

TEST_CASE("redis state: two hosts remembering one alert at once lose no channel") {
  Both both;
  RedisLink other(Both::address(both.redis));
  std::string why;
  REQUIRE(other.start(why));
  RedisStore a(both.link, kDay), b(other, kDay);
  std::thread ta([&] {
    for (int i = 0; i < 200; ++i) a.remember("k", "Critical", "t", {"a" + std::to_string(i)}, 1);
  });
  std::thread tb([&] {
    for (int i = 0; i < 200; ++i) b.remember("k", "Critical", "t", {"b" + std::to_string(i)}, 1);
  });
  ta.join();
  tb.join();
  OpenAlert open;
  REQUIRE(a.find("k", open));
  CHECK(open.channels.size() == 400);
  CHECK(open.generation == 400);
}

TEST_CASE("redis state: unreachable is Unavailable, not an answer") {
  Both both;
  RedisStore& s = dynamic_cast<RedisStore&>(*both.stores[1]);
  both.redis.stop();
  OpenAlert a;
  CHECK_THROWS_AS(s.find("k", a), Unavailable);
  CHECK_THROWS_AS(s.remember("k", "Info", "t", {"ops"}, 1), Unavailable);
  CHECK(s.where() == both.link.address().shown());
}
