// The open-alert state's cost, through its own API (what send calls per event):
//   build/cmrelay_state_bench [N] [FILE]     N alerts (default 1,000,000)
// Each alert is remembered (a firing event, two channels), then looked up and closed at
// both channels (its recovery delivered). Prints the time per operation and the file's size
// with N alerts open and after they all closed.
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "net/state/state.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU seconds (user + system) this process has used.
double cpu_seconds() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

long long file_size(const std::string& path) {
  long long total = 0;
  for (const char* suffix : {"", "-wal"}) {
    struct stat st {};
    if (::stat((path + suffix).c_str(), &st) == 0) total += st.st_size;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  const std::string path =
      argc > 2 ? argv[2] : (std::filesystem::temp_directory_path() / "cmrelay-state-bench.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = cmrelay::state::open_file(path, std::chrono::hours(24 * 30));
  // Keys and titles shaped like volc.metric's (the longest of the formats').
  auto key = [](long i) {
    return "volc.metric/1856012345678901234/i-" + std::to_string(1000000000 + i) + "/ResourceID=i-" +
           std::to_string(1000000000 + i);
  };
  const std::vector<std::string> channels{"dba", "oncall"};
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto t = Clock::now();
  double c = cpu_seconds();
  for (long i = 0; i < n; ++i) {
    store->remember(key(i), "Critical",
                    "prod-ecs-cpu on checkout-api-" + std::to_string(i % 1000) + ": CpuTotal 96.35% (threshold 90%)",
                    channels, now);
  }
  const double remember = seconds_since(t);
  const double remember_cpu = cpu_seconds() - c;
  const long long open_size = file_size(path);
  t = Clock::now();
  c = cpu_seconds();
  cmrelay::state::OpenAlert a;
  for (long i = 0; i < n; ++i) {
    if (!store->find(key(i), a)) return 1;
    for (const std::string& c : a.channels) store->closed(a.alert_key, c, a.generation);
  }
  const double close = seconds_since(t);
  const double close_cpu = cpu_seconds() - c;
  const long long closed_size = file_size(path);
  store->expire(now);  // Gives the free pages back, as the hourly expiry does.
  store.reset();
  std::printf("alerts:                 %ld\n", n);
  const double per = 1e6 / static_cast<double>(n);
  std::printf("remember (firing):      %.1f us CPU, %.1f us wall per alert\n", remember_cpu * per, remember * per);
  std::printf("find + close x2 (ok):   %.1f us CPU, %.1f us wall per alert\n", close_cpu * per, close * per);
  std::printf("file, all open:         %lld bytes (%.0f bytes per alert, %.0f MB per million)\n", open_size,
              static_cast<double>(open_size) / static_cast<double>(n),
              static_cast<double>(open_size) / static_cast<double>(n));
  std::printf("file, all closed:       %lld bytes before the hourly vacuum, %lld after\n", closed_size,
              file_size(path));
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}
