// What --shared costs per operation, through the shared parts' own APIs (what send and serve
// call per event), against a Redis the caller started:
//   build/cmrelay_shared_bench N redis://127.0.0.1:PORT [STATE_FILE]
// For N alerts: remember (a firing event, two channels), then find and close at both
// channels (its recovery delivered), in the Redis state and in the state file; N request
// slots of one budget (a window too large to wait), shared and alone; N vendor-retry claims.
// Prints, per operation, this process's CPU and wall time, and the Redis server's own CPU
// (INFO's used_cpu_user + used_cpu_sys): the round trips are the wall time.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>

#include "net/deliver/rate.h"
#include "net/serve/shared_seen.h"
#include "net/state/redis_link.h"
#include "net/state/redis_store.h"
#include "net/state/state.h"

namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// The Redis server's CPU seconds so far.
double redis_cpu(cmrelay::state::RedisLink& link) {
  cmrelay::state::Reply r = link.command({"INFO", "cpu"});
  double total = 0;
  std::string text(r.str());
  for (const char* field : {"used_cpu_sys:", "used_cpu_user:"}) {
    size_t at = text.find(field);
    if (at != std::string::npos) total += std::strtod(text.c_str() + at + std::strlen(field), nullptr);
  }
  return total;
}

// Runs f(i) for i < n; prints CPU and wall per operation, here and in Redis (link null: none).
void measure(const char* what, long n, cmrelay::state::RedisLink* link, const std::function<void(long)>& f) {
  const double r0 = link != nullptr ? redis_cpu(*link) : 0;
  const double c0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (long i = 0; i < n; ++i) f(i);
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - c0;
  const double per = 1e6 / static_cast<double>(n);
  std::printf("%-34s %7.1f us CPU, %7.1f us wall", what, cpu * per, wall * per);
  if (link != nullptr) std::printf(", Redis %6.1f us CPU", (redis_cpu(*link) - r0) * per);
  std::printf(" per operation\n");
}

std::string key(long i) {  // volc.metric-shaped, as state_bench's.
  return "volc.metric/1856012345678901234/i-" + std::to_string(1000000000 + i) + "/ResourceID=i-" +
         std::to_string(1000000000 + i);
}

void state_ops(const char* name, cmrelay::state::Store& store, long n, cmrelay::state::RedisLink* link) {
  const std::vector<std::string> channels{"dba", "oncall"};
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::string title;
  measure((std::string(name) + " remember (firing)").c_str(), n, link, [&](long i) {
    title = "prod-ecs-cpu on checkout-api-" + std::to_string(i % 1000) + ": CpuTotal 96.35% (threshold 90%)";
    store.remember(key(i), "Critical", title, channels, now);
  });
  cmrelay::state::OpenAlert a;
  measure((std::string(name) + " find + close x2 (ok)").c_str(), n, link, [&](long i) {
    if (!store.find(key(i), a)) std::exit(1);
    for (const std::string& c : a.channels) store.closed(a.alert_key, c, a.generation);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cmrelay_shared_bench N redis://HOST:PORT [STATE_FILE]\n");
    return 2;
  }
  const long n = std::atol(argv[1]);
  cmrelay::state::RedisAddress address;
  std::string why;
  if (!cmrelay::state::parse_redis_url(argv[2], address, why)) return std::fprintf(stderr, "%s\n", why.c_str()), 2;
  cmrelay::state::RedisLink link(address);
  if (!link.start(why) || !link.up()) return std::fprintf(stderr, "redis: %s\n", why.c_str()), 2;
  link.command({"FLUSHDB"});
  const std::string path =
      argc > 3 ? argv[3] : (std::filesystem::temp_directory_path() / "cmrelay-shared-bench.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::printf("operations: %ld each\n", n);
  {
    auto file = cmrelay::state::open_file(path, std::chrono::hours(24 * 30));
    state_ops("file:", *file, n, nullptr);
  }
  cmrelay::state::RedisStore shared(link, std::chrono::hours(24 * 30));
  state_ops("redis:", shared, n, &link);

  // One request slot each; the window never fills, so every call takes a slot.
  const std::vector<cmrelay::Rate> huge{{1000000000, std::chrono::seconds(1)}};
  cmrelay::deliver::RateLimiter alone, fleet;
  alone.add(huge);
  fleet.share(link, "key api.example bench-key", 2);
  fleet.add(huge);
  measure("budget: a slot, alone", n, nullptr, [&](long) { alone.acquire(Clock::now()); });
  measure("budget: a slot, shared (script)", n, &link, [&](long) { fleet.acquire(Clock::now()); });
  link.command({"FLUSHDB"});

  cmrelay::serve::SharedSeen seen(link, std::chrono::hours(1), "bench-spool");
  measure("dedup: a claim (SET NX PX)", n, &link,
          [&](long i) { seen.taken_elsewhere("trace:" + std::to_string(i), "1.http"); });
  link.command({"FLUSHDB"});
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}
