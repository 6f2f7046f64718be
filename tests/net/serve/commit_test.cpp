// The spool's group commit: one flush covers every capture submitted while the previous one
// ran; a capture's outcome is given only after the flush that covered it; a failing flush
// fails every capture of its batch. Real files in a temporary directory, real threads.
#include "net/serve/commit.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/serve/fixture.h"
#include "net/serve/spool.h"

using namespace cmrelay;
using namespace cmrelay::serve;

using test::slurp;
using test::TempDir;

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// A directory of captures and a flush done as the spool does it (syncfs, renames, one
// directory fsync), which records what each flush made durable. A flush can be held (the
// next batch accumulates meanwhile) or told to fail (as a disk would: every member fails).
struct Bench {
  TempDir dir;
  int dir_fd = ::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> durable;  // Names a finished flush made durable.
  std::vector<size_t> batches;    // Each new batch's size, in order.
  size_t flushes = 0;
  bool flushing = false;
  bool hold = false;      // The next flush waits for release().
  bool held = false;      // A flush is waiting.
  size_t fail_flush = 0;  // The flush with this number (1-based) fails; 0: none.
  std::atomic<int> done_during_flush{0};
  std::atomic<int> done_before_durable{0};

  ~Bench() { ::close(dir_fd); }

  // As the spool's flush: one sync makes fresh's bytes and named's names durable, then fresh
  // is renamed into view. A failed one takes named out of view again and fails both.
  void flush(std::vector<Pending>& fresh, std::vector<Pending>& named) {
    std::unique_lock<std::mutex> lock(mu);
    flushing = true;
    if (!fresh.empty()) batches.push_back(fresh.size());
    const bool fail = ++flushes == fail_flush;
    if (hold) {
      held = true;
      cv.notify_all();
      CHECK(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !hold; }));
      held = false;
    }
    lock.unlock();
    const bool synced = !fail && ::syncfs(dir_fd) == 0;
    for (Pending& p : named) {
      if (synced) continue;
      ::unlinkat(dir_fd, p.name.c_str(), 0);
      p.result = StoreResult::Failed;
      p.error = "the disk refused";
    }
    for (Pending& p : fresh) {
      if (synced && ::renameat(dir_fd, p.tmp.c_str(), dir_fd, p.name.c_str()) == 0) {
        p.result = StoreResult::Stored;
      } else {
        ::unlinkat(dir_fd, p.tmp.c_str(), 0);
        p.error = fail ? "the disk refused" : std::strerror(errno);
      }
    }
    lock.lock();
    for (const Pending& p : named)
      if (p.result == StoreResult::Stored) durable.insert(p.name);
    flushing = false;
  }

  // Writes a capture under its temporary name and submits it; done records the outcome.
  void submit(Committer& c, const std::string& name, std::vector<Stored>& out, std::mutex& out_mu) {
    const std::string tmp = ".tmp-" + name;
    int fd = ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);  // CHECK, not REQUIRE: called on other threads too.
    CHECK(::write(fd, name.data(), name.size()) == static_cast<ssize_t>(name.size()));
    ::close(fd);
    c.submit(Pending{tmp, name, name.size(), StoreResult::Failed, "", [this, name, &out, &out_mu](const Stored& s) {
                       {
                         std::lock_guard<std::mutex> lock(mu);
                         if (flushing) ++done_during_flush;
                         if (s.result == StoreResult::Stored && durable.count(name) == 0) ++done_before_durable;
                       }
                       std::lock_guard<std::mutex> lock(out_mu);
                       out.push_back(s);
                       out.back().name = name;  // Also for the failed: which one it was.
                     }});
  }

  void hold_next() {
    std::lock_guard<std::mutex> lock(mu);
    hold = true;
  }
  void wait_held() {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return held; }));
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu);
    hold = false;
    cv.notify_all();
  }
};

// Runs f(0) ... f(n - 1) on n threads at once; returns when all have ended.
template <class F>
void on_threads(int n, F f) {
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) threads.emplace_back(f, t);
  for (std::thread& t : threads) t.join();
}

}  // namespace

TEST_CASE("group commit: many threads at once, each told only after the flush that covered it") {
  Bench b;
  std::vector<Stored> out;
  std::mutex out_mu;
  constexpr int kThreads = 8, kEach = 50;
  {
    Committer c([&b](std::vector<Pending>& fresh, std::vector<Pending>& named) { b.flush(fresh, named); });
    on_threads(kThreads, [&](int t) {
      for (int i = 0; i < kEach; ++i) b.submit(c, "t" + std::to_string(t) + "-" + std::to_string(i), out, out_mu);
    });
    c.drain();
    CHECK(out.size() == kThreads * kEach);  // drain() returned: every one answered.
  }
  size_t covered = 0, firsts = 0;
  for (size_t n : b.batches) covered += n;
  CHECK(covered == kThreads * kEach);
  for (const Stored& s : out) {
    CHECK(s.result == StoreResult::Stored);
    CHECK(slurp(b.dir.path + "/" + s.name) == s.name);
    CHECK_FALSE(exists(b.dir.path + "/.tmp-" + s.name));
    CHECK(s.batch >= 1);
    firsts += s.first ? 1 : 0;
  }
  CHECK(firsts == b.batches.size());  // One first per flush.
  CHECK(b.done_during_flush == 0);
  CHECK(b.done_before_durable == 0);
}

TEST_CASE("group commit: what arrives during a flush is the next batch, whole; no wait for one alone") {
  Bench b;
  std::vector<Stored> out;
  std::mutex out_mu;
  {
    Committer c([&b](std::vector<Pending>& fresh, std::vector<Pending>& named) { b.flush(fresh, named); });
    b.submit(c, "alone", out, out_mu);
    // One capture, nothing else coming: flushed at once, by itself, and answered on the
    // thread that submitted it before submit returned (no hand-over).
    REQUIRE(out.size() == 1);
    CHECK(out[0].batch == 1);
    CHECK(out[0].first);
    b.hold_next();
    std::thread leader([&] { b.submit(c, "first", out, out_mu); });  // Leads: flushes until nothing waits.
    b.wait_held();  // Its flush runs (held): the next ones accumulate, their submits return.
    on_threads(4, [&](int t) {
      for (int i = 0; i < 5; ++i) b.submit(c, "later" + std::to_string(t) + "-" + std::to_string(i), out, out_mu);
    });
    {
      std::lock_guard<std::mutex> lock(out_mu);
      CHECK(out.size() == 1);  // Nobody told while the flush covering them has not run.
    }
    b.release();
    leader.join();  // It flushed the twenty too before returning.
    CHECK(out.size() == 22);
  }
  REQUIRE(b.batches == std::vector<size_t>{1, 1, 20});
  REQUIRE(out.size() == 22);
  for (size_t i = 2; i < out.size(); ++i) {
    CHECK(out[i].result == StoreResult::Stored);
    CHECK(out[i].batch == 20);
  }
  CHECK(b.done_before_durable == 0);
}

TEST_CASE("group commit: a failing flush fails every capture it covers, and only those") {
  Bench b;
  std::vector<Stored> out;
  std::mutex out_mu;
  {
    Committer c([&b](std::vector<Pending>& fresh, std::vector<Pending>& named) { b.flush(fresh, named); });
    b.submit(c, "before", out, out_mu);  // Flushes 1 (its bytes) and 2 (its name).
    b.fail_flush = 4;
    b.hold_next();
    std::thread leader([&] { b.submit(c, "failed-named", out, out_mu); });
    b.wait_held();  // Flush 3: its bytes, then its name in view, waiting for flush 4.
    for (int i = 0; i < 10; ++i) b.submit(c, "failed" + std::to_string(i), out, out_mu);
    b.release();
    leader.join();  // Flush 4 fails: the ten new ones and the name waiting.
    b.submit(c, "after", out, out_mu);
  }
  REQUIRE(b.batches == std::vector<size_t>{1, 1, 10, 1});
  REQUIRE(out.size() == 13);
  for (const Stored& s : out) {
    const bool failed = s.name.starts_with("failed");
    CHECK(s.result == (failed ? StoreResult::Failed : StoreResult::Stored));
    CHECK(exists(b.dir.path + "/" + s.name) == !failed);  // The one in view is out again.
    CHECK_FALSE(exists(b.dir.path + "/.tmp-" + s.name));
    if (failed) CHECK(s.error == "the disk refused");
  }
  CHECK(b.done_before_durable == 0);
}

TEST_CASE("the spool's group commit: concurrent stores, each whole under its name when answered") {
  TempDir dir;
  Spool spool;
  std::string error;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {100, 1 << 20}, error));
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> stored{0}, full{0}, wrong{0};
  on_threads(kThreads, [&](int t) {
    for (int i = 0; i < kEach; ++i) {
      const std::string body = "capture " + std::to_string(t) + "-" + std::to_string(i);
      std::string name, err;
      uint64_t flush_ns = 0;
      switch (spool.store(body, name, err, flush_ns)) {
        case StoreResult::Stored:
          ++stored;
          if (slurp(spool.path(name)) != body) ++wrong;  // Whole under its name when answered.
          break;
        case StoreResult::Full:
          ++full;
          break;
        case StoreResult::Failed:
          ++wrong;
          break;
      }
    }
  });
  CHECK(stored == 100);  // The limit holds under concurrency: reserved before writing.
  CHECK(full == kThreads * kEach - 100);
  CHECK(wrong == 0);
  CHECK(spool.list().size() == 100);
  CHECK(spool.depth() == 100);
  int temporaries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path + "/s"))
    temporaries += e.path().filename().string().starts_with(".tmp-") ? 1 : 0;
  CHECK(temporaries == 0);  // Every written file was renamed into view.
}
