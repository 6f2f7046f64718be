// Vendor retries across a fleet, against a real redis-server: two spools stand for two hosts.
#include "net/serve/shared_seen.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "net/state/redis_server.h"

using namespace cmrelay;
using namespace cmrelay::serve;
using cmrelay::test::RedisServer;
using namespace std::chrono;

namespace {

std::unique_ptr<state::RedisLink> link_to(const RedisServer& redis) {
  state::RedisAddress a;
  std::string why;
  REQUIRE(state::parse_redis_url(redis.url(), a, why));
  auto link = std::make_unique<state::RedisLink>(
      a, state::RedisLink::Timing{milliseconds(300), milliseconds(300), milliseconds(50)});
  REQUIRE(link->start(why));
  return link;
}

}  // namespace

TEST_CASE("shared seen: the first file to claim a key delivers it; a retry elsewhere is dropped") {
  RedisServer redis;
  auto a_link = link_to(redis), b_link = link_to(redis);
  SharedSeen a(*a_link, seconds(60), "spool-a"), b(*b_link, seconds(60), "spool-b");
  CHECK_FALSE(a.taken_elsewhere("trace:t1", "100-1.http"));
  CHECK(b.taken_elsewhere("trace:t1", "200-1.http"));  // The vendor's retry, on the other host.
  CHECK(a.taken_elsewhere("trace:t1", "100-2.http"));  // Or on the same host, as another file.
  // The claiming file read again (a restart, a crash mid-delivery) is no duplicate of itself.
  CHECK_FALSE(a.taken_elsewhere("trace:t1", "100-1.http"));
  CHECK(redis.run({"GET", "cmrelay:seen:trace:t1"}) == "spool-a/100-1.http");
  const long long ttl = std::stoll(redis.run({"PTTL", "cmrelay:seen:trace:t1"}));
  CHECK(ttl > 0);
  CHECK(ttl <= 60000);
  CHECK_FALSE(b.taken_elsewhere("body:abc:12", "200-2.http"));
}

TEST_CASE("shared seen: past the window the same key is a new delivery") {
  RedisServer redis;
  auto link = link_to(redis);
  SharedSeen a(*link, milliseconds(100), "spool-a"), b(*link, milliseconds(100), "spool-b");
  CHECK_FALSE(a.taken_elsewhere("trace:t", "1.http"));
  CHECK(b.taken_elsewhere("trace:t", "2.http"));
  CHECK(RedisServer::within(seconds(3), [&] { return !b.taken_elsewhere("trace:t", "2.http"); }));
}

TEST_CASE("shared seen: Redis away is Unavailable (the caller delivers)") {
  RedisServer redis;
  auto link = link_to(redis);
  SharedSeen a(*link, seconds(60), "spool-a");
  redis.stop();
  CHECK_THROWS_AS(a.taken_elsewhere("trace:t", "1.http"), state::Unavailable);
}

TEST_CASE("shared seen: a spool's identity is made once and read back") {
  auto dir = std::filesystem::temp_directory_path() / ("cmrelay-fleet-id-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string id, again, error;
  REQUIRE(spool_identity(dir.string(), id, error));
  CHECK(id.size() == 32);
  REQUIRE(spool_identity(dir.string(), again, error));
  CHECK(again == id);
  CHECK((std::filesystem::status(dir / ".fleet-id").permissions() & std::filesystem::perms::group_read) ==
        std::filesystem::perms::none);
  std::filesystem::remove_all(dir);
  CHECK_FALSE(spool_identity((dir / "absent").string(), id, error));
  CHECK(error.find(".fleet-id: cannot write") != std::string::npos);
}
