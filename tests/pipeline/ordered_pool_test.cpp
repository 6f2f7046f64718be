// OrderedPool: tasks come back in submission order whatever order they finish in, with
// many threads and a bounded number in flight; a task's exception comes back in its turn.
#include "pipeline/ordered_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cmrelay {
namespace {

struct Sleeper final : OrderedPool::Task {
  size_t id = 0;
  int micros = 0;
  bool fail = false;
  std::atomic<int> runs{0};
  unsigned worker = 0;
  void run(unsigned w) override {
    ++runs;
    worker = w;
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
    if (fail) throw std::runtime_error("task " + std::to_string(id));
  }
};

// Runs kTasks tasks through a pool of threads, at most max_in_flight at once; the order
// in which they came back.
std::vector<size_t> run_all(std::vector<std::unique_ptr<Sleeper>>& tasks, unsigned threads, size_t max_in_flight) {
  OrderedPool pool(threads);
  CHECK(pool.threads() == threads);
  std::vector<size_t> order;
  size_t next = 0;
  while (order.size() < tasks.size()) {
    if (next < tasks.size() && pool.in_flight() < max_in_flight) {
      pool.submit(tasks[next++].get());
      // Never waits: a task that has not run stays in the pool.
      if (auto* t = pool.take(false)) order.push_back(static_cast<Sleeper*>(t)->id);
      continue;
    }
    auto* t = pool.take(true);
    REQUIRE(t != nullptr);
    order.push_back(static_cast<Sleeper*>(t)->id);
  }
  CHECK(pool.take(true) == nullptr);
  CHECK(pool.in_flight() == 0);
  return order;
}

}  // namespace

TEST_CASE("ordered pool: tasks come back in submission order, each run once") {
  constexpr size_t kTasks = 1000;
  for (unsigned threads : {1u, 3u, 16u}) {
    for (size_t max_in_flight : {size_t{1}, size_t{7}, size_t{64}}) {
      CAPTURE(threads);
      CAPTURE(max_in_flight);
      std::mt19937 random(42);
      std::vector<std::unique_ptr<Sleeper>> tasks;
      for (size_t i = 0; i < kTasks; ++i) {
        tasks.push_back(std::make_unique<Sleeper>());
        tasks.back()->id = i;
        // Later tasks often finish first: the order must come from the pool, not from luck.
        tasks.back()->micros = static_cast<int>(random() % 100);
      }
      std::vector<size_t> order = run_all(tasks, threads, max_in_flight);
      for (size_t i = 0; i < kTasks; ++i) {
        REQUIRE(order[i] == i);
        CHECK(tasks[i]->runs.load() == 1);
        CHECK(tasks[i]->worker < threads);
      }
    }
  }
}

TEST_CASE("ordered pool: a task's exception is rethrown when its turn comes, and the rest go on") {
  OrderedPool pool(4);
  std::vector<std::unique_ptr<Sleeper>> tasks;
  for (size_t i = 0; i < 10; ++i) {
    tasks.push_back(std::make_unique<Sleeper>());
    tasks.back()->id = i;
    tasks.back()->micros = static_cast<int>((10 - i) * 300);
    tasks.back()->fail = i == 4;
    pool.submit(tasks.back().get());
  }
  for (size_t i = 0; i < 10; ++i) {
    if (i == 4) {
      CHECK_THROWS_WITH(pool.take(true), "task 4");
      continue;
    }
    auto* t = pool.take(true);
    REQUIRE(t != nullptr);
    CHECK(static_cast<Sleeper*>(t)->id == i);
  }
}

TEST_CASE("ordered pool: destroyed with tasks in flight, it lets them finish") {
  std::vector<std::unique_ptr<Sleeper>> tasks;
  {
    OrderedPool pool(2);
    for (size_t i = 0; i < 8; ++i) {
      tasks.push_back(std::make_unique<Sleeper>());
      tasks.back()->micros = 500;
      pool.submit(tasks.back().get());
    }
  }
  for (const auto& t : tasks) CHECK(t->runs.load() == 1);
}

}  // namespace cmrelay
