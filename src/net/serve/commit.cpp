#include "net/serve/commit.h"

#include <chrono>

namespace cmrelay::serve {

Committer::Committer(Flush flush) : flush_(std::move(flush)), thread_([this] { run(); }) {}

Committer::~Committer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Committer::submit(Pending p) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(p));
    ++submitted_;
  }
  wake_.notify_one();
}

void Committer::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = submitted_;
  idle_.wait(lock, [&] { return answered_ >= target; });
}

// One batch per turn: everything queued when the previous flush ended (or the first capture
// when the committer was idle). The queue's two vectors swap, so a steady load allocates
// nothing here once their capacity has grown.
void Committer::run() {
  std::vector<Pending> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // Stopping, and nothing left to flush.
    batch.swap(queue_);
    lock.unlock();
    const auto t0 = std::chrono::steady_clock::now();
    flush_(batch);
    const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0);
    for (size_t i = 0; i < batch.size(); ++i) {
      Pending& p = batch[i];
      Stored s{p.result,           p.result == StoreResult::Stored ? std::move(p.name) : std::string(),
               std::move(p.error), static_cast<uint64_t>(took.count()),
               batch.size(),       i == 0};
      p.done(s);
    }
    const size_t n = batch.size();
    batch.clear();
    lock.lock();
    answered_ += n;
    idle_.notify_all();
  }
}

}  // namespace cmrelay::serve
