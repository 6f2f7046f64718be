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

// One turn: the batch submitted since the previous flush (perhaps none), and the names that
// flush gave. Their vectors swap and are cleared, so a steady load allocates nothing here
// once their capacity has grown.
void Committer::run() {
  std::vector<Pending> fresh, named, next;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty() || !named.empty(); });
    if (queue_.empty() && named.empty()) return;  // Stopping, and nothing left to flush.
    fresh.swap(queue_);
    lock.unlock();
    for (size_t i = 0; i < fresh.size(); ++i) {
      fresh[i].batch = fresh.size();
      fresh[i].first = i == 0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    flush_(fresh, named);
    const auto took = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
    size_t answered = named.size();
    for (Pending& p : named) answer(p, took);
    for (Pending& p : fresh) {
      if (p.result == StoreResult::Stored) {
        p.flush_ns += took;
        next.push_back(std::move(p));  // Its name waits for the next flush.
      } else {
        answer(p, took);
        ++answered;
      }
    }
    fresh.clear();
    named.clear();
    named.swap(next);
    lock.lock();
    answered_ += answered;
    idle_.notify_all();
  }
}

void Committer::answer(Pending& p, uint64_t took) {
  const bool stored = p.result == StoreResult::Stored;
  p.done(Stored{p.result, stored ? std::move(p.name) : std::string(), std::move(p.error), p.flush_ns + took, p.batch,
                p.first});
}

}  // namespace cmrelay::serve
