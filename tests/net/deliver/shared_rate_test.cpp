// Budgets shared by a fleet, against a real redis-server: two limiters on two connections
// stand for two hosts, in real time (the windows are kept by the Redis server's clock).
#include "net/deliver/shared_rate.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

#include "net/deliver/rate.h"
#include "net/state/redis_server.h"

using namespace cmrelay;
using namespace cmrelay::deliver;
using cmrelay::test::RedisServer;
using namespace std::chrono;
using Clock = steady_clock;

namespace {

const state::RedisLink::Timing kFast{milliseconds(300), milliseconds(300), milliseconds(50)};
// A budget's name as a target gives it: it holds the integration key.
const std::string kBudget = "key api.example very-secret-key";

std::unique_ptr<state::RedisLink> link_to(const RedisServer& redis) {
  state::RedisAddress a;
  std::string why;
  REQUIRE(state::parse_redis_url(redis.url(), a, why));
  auto link = std::make_unique<state::RedisLink>(a, kFast);
  REQUIRE(link->start(why));
  return link;
}

// The most starts in any interval of length `per` (starts sorted).
size_t most_within(std::vector<Clock::time_point> starts, Clock::duration per) {
  std::sort(starts.begin(), starts.end());
  size_t most = 0;
  for (size_t i = 0, j = 0; j < starts.size(); ++j) {
    while (starts[j] - starts[i] >= per) ++i;
    most = std::max(most, j - i + 1);
  }
  return most;
}

// Acquires on limiter as fast as it allows until `until`, recording each start.
void run(RateLimiter& limiter, Clock::time_point until, std::vector<Clock::time_point>& starts) {
  for (int i = 0; i < 100000 && Clock::now() < until; ++i) {
    Clock::time_point now = Clock::now();
    Clock::time_point free = limiter.acquire(now);
    if (free <= now) {
      starts.push_back(now);
      continue;
    }
    std::this_thread::sleep_until(std::min(free, until));
  }
}

}  // namespace

TEST_CASE("shared windows: a slot is taken while there is room, then the wait until the oldest leaves") {
  RedisServer redis;
  auto link = link_to(redis);
  SharedWindows w(*link, kBudget, {{{3, milliseconds(1000)}, microseconds(1000000)}});
  CHECK(w.take() == microseconds(0));
  CHECK(w.take() == microseconds(0));
  CHECK(w.take() == microseconds(0));
  microseconds wait = w.take();
  CHECK(wait > microseconds(0));
  CHECK(wait <= microseconds(1000000));
  // The budget's name holds the integration key: Redis shows only its hash.
  std::string keys = redis.run({"EVAL", "return table.concat(redis.call('KEYS', '*'), ' ')", "0"});
  CHECK(keys.starts_with("cmrelay:rate:"));
  CHECK(keys.ends_with(":3/1000ms"));
  CHECK(keys.find("secret") == std::string::npos);
  CHECK(std::stoll(redis.run({"PTTL", keys})) > 0);  // Gone by itself after its window.
}

TEST_CASE("shared budget: two hosts together never start more than the budget in any window") {
  RedisServer redis;
  auto a_link = link_to(redis), b_link = link_to(redis);
  RateLimiter a, b;
  a.share(*a_link, kBudget, 2);
  b.share(*b_link, kBudget, 2);
  a.add({{10, milliseconds(300)}});
  b.add({{10, milliseconds(300)}});
  std::vector<Clock::time_point> sa, sb;
  const Clock::time_point until = Clock::now() + milliseconds(1500);
  std::thread ta([&] { run(a, until, sa); });
  std::thread tb([&] { run(b, until, sb); });
  ta.join();
  tb.join();
  std::vector<Clock::time_point> all = sa;
  all.insert(all.end(), sb.begin(), sb.end());
  CAPTURE(all.size());
  CHECK(most_within(all, milliseconds(300)) <= 10);
  // Each alone would have started 10 per window; together they shared about that.
  CHECK(all.size() >= 20);
  CHECK(all.size() <= 10 * (1500 / 300 + 1));
}

TEST_CASE("shared budget: with Redis away a host keeps to its share, hands its starts over when it is back") {
  RedisServer redis;
  auto link = link_to(redis);
  RateLimiter l;
  l.share(*link, kBudget, 2);
  l.add({{10, milliseconds(1000)}});
  redis.stop();
  std::vector<Clock::time_point> away;
  run(l, Clock::now() + milliseconds(600), away);
  CHECK_FALSE(link->up());
  CHECK(away.size() == 5);  // 10 / fleet of 2, within one window (1 s plus its margin).
  REQUIRE(redis.start());
  REQUIRE(RedisServer::within(seconds(5), [&] { return link->up(); }));
  // Back: the five starts of the outage are in the fleet's window first, and for one more
  // window this host still keeps to its share (another may not have seen Redis back yet).
  Clock::time_point now = Clock::now();
  Clock::time_point free = l.acquire(now);
  CHECK(free > now);
  std::string key = redis.run({"EVAL", "return redis.call('KEYS', 'cmrelay:rate:*')[1]", "0"});
  CHECK(redis.run({"ZCARD", key}) == "5");
  std::vector<Clock::time_point> back;
  run(l, Clock::now() + milliseconds(2500), back);
  CHECK(most_within(back, milliseconds(1000)) <= 10);
  CHECK(back.size() > 5);  // Shared again: past the share.
}

TEST_CASE("a budget alone is unchanged: acquire takes a slot as next_free and take did") {
  RateLimiter l;
  l.add({{2, milliseconds(1000)}});
  Clock::time_point t0 = Clock::now();
  CHECK(l.acquire(t0) == t0);
  CHECK(l.acquire(t0) == t0);
  Clock::time_point free = l.acquire(t0);
  CHECK(free > t0);
  CHECK(l.next_free(t0) == free);  // Not taken.
  RateLimiter none;
  CHECK(none.acquire(t0) == t0);
}
