#include "net/serve/commit.h"

#include <chrono>

namespace cmrelay::serve {

Committer::Committer(Flush flush) : flush_(std::move(flush)) {}

Committer::~Committer() { drain(); }

void Committer::submit(Pending p) {
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(std::move(p));
  ++submitted_;
  if (leading_) return;  // The thread flushing takes it in its next turn.
  leading_ = true;
  lead(lock);
}

void Committer::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = submitted_;
  idle_.wait(lock, [&] { return answered_ >= target; });
}

// The submitter that found no flush under way flushes, turn after turn, until nothing waits:
// no thread of its own, so a lone capture is flushed and answered on the thread that wrote
// it, with no hand-over (each costs a wake-up on a busy machine). One turn: the batch
// submitted since the previous flush (perhaps none), and the names that flush gave. Only the
// leader touches fresh_, named_ and next_; their vectors swap and are cleared, so a steady
// load allocates nothing here once their capacity has grown.
void Committer::lead(std::unique_lock<std::mutex>& lock) {
  while (!queue_.empty() || !named_.empty()) {
    fresh_.swap(queue_);
    lock.unlock();
    for (size_t i = 0; i < fresh_.size(); ++i) {
      fresh_[i].batch = fresh_.size();
      fresh_[i].first = i == 0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    flush_(fresh_, named_);
    const auto took = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
    size_t answered = named_.size();
    for (Pending& p : named_) answer(p, took);
    for (Pending& p : fresh_) {
      if (p.result == StoreResult::Stored) {
        p.flush_ns += took;
        next_.push_back(std::move(p));  // Its name waits for the next flush.
      } else {
        answer(p, took);
        ++answered;
      }
    }
    fresh_.clear();
    named_.clear();
    named_.swap(next_);
    lock.lock();
    answered_ += answered;
    idle_.notify_all();
  }
  leading_ = false;
}

void Committer::answer(Pending& p, uint64_t took) {
  const bool stored = p.result == StoreResult::Stored;
  p.done(Stored{p.result, stored ? std::move(p.name) : std::string(), std::move(p.error), p.flush_ns + took, p.batch,
                p.first});
}

}  // namespace cmrelay::serve
