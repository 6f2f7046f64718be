// Runs tasks on a fixed set of worker threads and hands them back strictly in the order
// they were submitted, whichever finished first: what lets cmrelay read on all cores and
// still write its output, its stderr lines and its reject records exactly as one thread
// would. The caller bounds the tasks in flight (it submits only after taking one back), so
// memory stays bounded whatever the input size. The workers block every signal, so that
// SIGINT and SIGTERM reach the thread that reads (and interrupt its blocked read()).
// A task that throws is handed back all the same; take() then rethrows its exception.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace cmrelay {

class OrderedPool {
 public:
  class Task {
   public:
    // Runs on worker thread number worker (0 .. threads-1): per-worker state is indexed by it.
    virtual void run(unsigned worker) = 0;

   protected:
    ~Task() = default;
  };

  explicit OrderedPool(unsigned threads);
  ~OrderedPool();  // Lets the tasks in flight finish, then joins the workers.
  OrderedPool(const OrderedPool&) = delete;
  OrderedPool& operator=(const OrderedPool&) = delete;

  unsigned threads() const { return static_cast<unsigned>(workers_.size()); }
  // Queues a task; it must stay alive until take() returns it.
  void submit(Task* task);
  // The oldest task submitted and not yet taken, once it has run (waiting for it when wait
  // is true); nullptr when it has not run yet (and !wait) or when none is in flight.
  Task* take(bool wait);
  size_t in_flight() const;

 private:
  struct Entry {
    Task* task;
    bool done = false;
    std::exception_ptr error;
  };
  void work(unsigned worker);

  mutable std::mutex mutex_;
  std::condition_variable queued_;  // A task was submitted, or the pool is closing.
  std::condition_variable ran_;     // A task has run.
  std::deque<Entry> entries_;       // In submission order; the front is the oldest.
  uint64_t front_seq_ = 0;          // Sequence number of entries_.front().
  uint64_t next_seq_ = 0;           // Sequence number of the next task to start.
  bool closing_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace cmrelay
