// The link to the shared Redis, against a real redis-server on a loopback port.
#include "net/state/redis_link.h"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>

#include "net/state/redis_server.h"

using namespace cmrelay::state;
using cmrelay::test::RedisServer;
using namespace std::chrono;

namespace {

RedisAddress address_of(const std::string& url) {
  RedisAddress a;
  std::string why;
  REQUIRE(parse_redis_url(url, a, why));
  return a;
}

// What on_change said, in order.
struct Changes {
  std::mutex mu;
  std::vector<std::string> said;
  void hook(RedisLink& link) {
    link.on_change([this](bool up, const std::string& why) {
      std::lock_guard<std::mutex> l(mu);
      said.push_back(up ? "up" : "down: " + why);
    });
  }
  size_t size() {
    std::lock_guard<std::mutex> l(mu);
    return said.size();
  }
  std::string at(size_t i) {
    std::lock_guard<std::mutex> l(mu);
    return said.at(i);
  }
};

const RedisLink::Timing kFast{milliseconds(300), milliseconds(300), milliseconds(50)};

}  // namespace

TEST_CASE("redis url: host, port, database, user and password; reasons never quote the password") {
  RedisAddress a;
  std::string why;
  REQUIRE(parse_redis_url("redis://ops:p%40ss@cache.internal:6380/3", a, why));
  CHECK(a.host == "cache.internal");
  CHECK(a.port == 6380);
  CHECK(a.db == 3);
  CHECK(a.user == "ops");
  CHECK(a.password == "p@ss");
  CHECK(a.shown() == "redis://cache.internal:6380/3");
  REQUIRE(parse_redis_url("redis://:secret@10.0.0.5", a, why));
  CHECK(a.user.empty());
  CHECK(a.password == "secret");
  CHECK(a.port == 6379);
  CHECK(a.db == 0);
  REQUIRE(parse_redis_url("redis://[::1]:7000/", a, why));
  CHECK(a.host == "::1");
  CHECK(a.shown() == "redis://[::1]:7000/0");

  for (const char* bad :
       {"rediss://:secret@h:6380", "http://:secret@h", "redis://:secret@h:0", "redis://:secret@h:99999",
        "redis://:secret@h/x", "redis://:secret@h/1?x=1", "redis://:secret@", "secret"}) {
    CAPTURE(bad);
    why.clear();
    CHECK_FALSE(parse_redis_url(bad, a, why));
    CHECK_FALSE(why.empty());
    CHECK(why.find("secret") == std::string::npos);
  }
  parse_redis_url("rediss://h", a, why);
  CHECK(why.find("tunnel") != std::string::npos);  // Says how to get TLS.
}

TEST_CASE("redis link: commands and scripts; a script the server forgot is loaded again") {
  RedisServer redis;
  RedisLink link(address_of(redis.url()), kFast);
  std::string why;
  REQUIRE(link.start(why));
  CHECK(link.up());
  CHECK(link.command({"SET", "a", "1"}).str() == "OK");
  CHECK(link.command({"GET", "a"}).str() == "1");
  CHECK(link.command({"GET", "absent"}).nil());
  Script add("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  CHECK(add.sha1().size() == 40);
  CHECK(link.eval(add, {"n"}, {"5"}).integer() == 5);
  redis.run({"SCRIPT", "FLUSH"});
  CHECK(link.eval(add, {"n"}, {"2"}).integer() == 7);
  // An error reply is a StateError, not an outage.
  CHECK_THROWS_AS(link.command({"INCR", "a", "b"}), StateError);
  CHECK(link.up());
  CHECK(link.outages() == 0);
  // A connection the server closed (an idle timeout, CLIENT KILL) is made again, silently.
  redis.run({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  CHECK(link.command({"GET", "a"}).str() == "1");
  CHECK(link.outages() == 0);
}

TEST_CASE("redis link: a password and a database; a wrong password stops start(), never said") {
  RedisServer redis({"--requirepass", "s3cret"});
  {
    RedisLink link(address_of(redis.url(":s3cret") + "/2"), kFast);
    std::string why;
    REQUIRE(link.start(why));
    link.command({"SET", "x", "in db 2"});
    CHECK(redis.run({"EVAL", "redis.call('SELECT', 2) return redis.call('GET', 'x')", "0"}, "s3cret") == "in db 2");
  }
  RedisLink wrong(address_of(redis.url(":nope")), kFast);
  std::string why;
  CHECK_FALSE(wrong.start(why));
  CHECK(why.find("AUTH refused") != std::string::npos);
  CHECK(why.find("nope") == std::string::npos);
  RedisLink none(address_of(redis.url()), kFast);
  CHECK_FALSE(none.start(why));
  CHECK(why.find("NOAUTH") != std::string::npos);
}

TEST_CASE("redis link: an outage is said once when it starts and once when it ends") {
  RedisServer redis;
  RedisLink link(address_of(redis.url()), kFast);
  Changes changes;
  changes.hook(link);
  std::string why;
  REQUIRE(link.start(why));
  const uint64_t epoch = link.epoch();
  link.command({"PING"});
  redis.stop();
  CHECK_THROWS_AS(link.command({"PING"}), Unavailable);
  CHECK_FALSE(link.up());
  for (int i = 0; i < 50; ++i) CHECK_THROWS_AS(link.command({"PING"}), Unavailable);
  REQUIRE(changes.size() == 1);
  CHECK(changes.at(0).starts_with("down: "));
  REQUIRE(redis.start());
  CHECK(RedisServer::within(seconds(5), [&] { return link.up(); }));
  CHECK(link.command({"PING"}).str() == "PONG");
  REQUIRE(changes.size() == 2);
  CHECK(changes.at(1) == "up");
  CHECK(link.outages() == 1);
  CHECK(link.epoch() == epoch + 1);
}

TEST_CASE("redis link: a Redis that does not answer is an outage after the command timeout") {
  RedisServer redis;
  RedisLink link(address_of(redis.url()), kFast);
  std::string why;
  REQUIRE(link.start(why));
  link.command({"PING"});
  redis.pause();
  try {
    link.command({"PING"});
    FAIL("a paused Redis answered");
  } catch (const Unavailable& x) {
    CHECK(std::string(x.what()).find("no answer within 300 ms") != std::string::npos);
  }
  redis.resume();
  CHECK(RedisServer::within(seconds(5), [&] { return link.up(); }));
  CHECK(link.command({"PING"}).str() == "PONG");
}

TEST_CASE("redis link: unreachable at start is no error: it starts in an outage and comes up") {
  RedisServer redis;
  const std::string url = redis.url();
  redis.stop();
  RedisLink link(address_of(url), kFast);
  Changes changes;
  changes.hook(link);
  std::string why;
  REQUIRE(link.start(why));
  CHECK_FALSE(link.up());
  REQUIRE(changes.size() == 1);
  CHECK_THROWS_AS(link.command({"PING"}), Unavailable);
  REQUIRE(redis.start());
  CHECK(RedisServer::within(seconds(5), [&] { return link.up(); }));
  CHECK(link.command({"PING"}).str() == "PONG");
  CHECK(changes.size() == 2);
}

TEST_CASE("redis link: an outage is seen while nothing asks (the probe's PING), and its end") {
  RedisServer redis;
  RedisLink link(address_of(redis.url()), kFast);
  Changes changes;
  changes.hook(link);
  std::string why;
  REQUIRE(link.start(why));
  redis.stop();
  CHECK(RedisServer::within(seconds(5), [&] { return !link.up(); }));
  REQUIRE(redis.start());
  CHECK(RedisServer::within(seconds(5), [&] { return link.up(); }));
  CHECK(changes.size() == 2);
}
