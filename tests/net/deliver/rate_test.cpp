// Pacing: the sliding-window limiter, Flashduty's defaults and shared budgets.
#include "net/deliver/rate.h"

#include <doctest/doctest.h>

using namespace cmrelay;
using namespace cmrelay::deliver;
using namespace std::chrono;

TEST_CASE("a channel is paced at its own rate, else at its target kind's default") {
  Channel fd;
  fd.url = "https://api.flashcat.cloud/event/push/alert/standard?integration_key=k1";
  CHECK(channel_rates(fd) == std::vector<Rate>{{100, seconds(1)}, {1000, minutes(1)}});
  fd.rate_set = true;  // rate: none
  CHECK(channel_rates(fd).empty());
  fd.rate = {{5, seconds(1)}};
  CHECK(channel_rates(fd) == fd.rate);
  Channel other;
  other.url = "https://example.com/event/push/alert/standard?integration_key=k1";
  CHECK(channel_rates(other).empty());
}

TEST_CASE("the limiter never allows more than N starts in any window, margin included") {
  RateLimiter l;
  l.add({{3, seconds(1)}, {5, seconds(10)}});
  l.add({{3, seconds(1)}});  // The same window again is kept once.
  CHECK(l.describe() == "3/s,5/10s");
  CHECK(l.longest() == seconds(10));
  auto t0 = steady_clock::time_point() + hours(1);
  std::vector<steady_clock::time_point> starts;
  auto now = t0;
  for (int i = 0; i < 12; ++i) {
    now = l.next_free(now);
    l.take(now);
    starts.push_back(now);
  }
  // Every 3 consecutive starts span more than 1 s, every 5 more than 10 s (5% + 100 ms margin).
  for (size_t i = 3; i < starts.size(); ++i) CHECK(starts[i] - starts[i - 3] >= milliseconds(1150));
  for (size_t i = 5; i < starts.size(); ++i) CHECK(starts[i] - starts[i - 5] >= milliseconds(10600));
  // Not slower than that either: the 6th start comes exactly when the 1st leaves the 10 s window.
  CHECK(starts[5] - starts[0] == milliseconds(10600));
  CHECK(starts[1] == t0);
  CHECK(starts[3] - starts[0] == milliseconds(1150));
}

TEST_CASE("a limiter without windows never waits") {
  RateLimiter l;
  CHECK(l.empty());
  auto now = steady_clock::now();
  for (int i = 0; i < 1000; ++i) l.take(now);
  CHECK(l.next_free(now) == now);
  CHECK(l.longest() == milliseconds(0));
}
