#include "pipeline/ordered_pool.h"

#include <pthread.h>
#include <signal.h>

namespace cmrelay {

OrderedPool::OrderedPool(unsigned threads) {
  // Threads inherit the creator's signal mask: block everything while they are made.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

OrderedPool::~OrderedPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  queued_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void OrderedPool::submit(Task* task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.push_back(Entry{task, false, nullptr});
  }
  queued_.notify_one();
}

OrderedPool::Task* OrderedPool::take(bool wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (entries_.empty()) return nullptr;
  if (wait) {
    ran_.wait(lock, [this] { return entries_.front().done; });
  } else if (!entries_.front().done) {
    return nullptr;
  }
  Entry front = entries_.front();
  entries_.pop_front();
  ++front_seq_;
  lock.unlock();
  if (front.error) std::rethrow_exception(front.error);
  return front.task;
}

size_t OrderedPool::in_flight() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

void OrderedPool::work(unsigned worker) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    // Tasks start in submission order, so the oldest is never starved by newer ones.
    queued_.wait(lock, [this] { return closing_ || next_seq_ < front_seq_ + entries_.size(); });
    if (next_seq_ >= front_seq_ + entries_.size()) return;  // Closing, with nothing left to run.
    const uint64_t seq = next_seq_++;
    Task* task = entries_[seq - front_seq_].task;
    lock.unlock();
    std::exception_ptr error;
    try {
      task->run(worker);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    // The entry cannot have been taken meanwhile: take() only returns done entries.
    Entry& e = entries_[seq - front_seq_];
    e.done = true;
    e.error = error;
    ran_.notify_all();
  }
}

}  // namespace cmrelay
