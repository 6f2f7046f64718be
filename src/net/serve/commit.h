// Group commit for the spool: any thread submits a capture already written under a temporary
// name; the submitter that finds no flush under way leads: it takes every capture submitted
// since the last flush as one batch, turn after turn until nothing waits,
// and only tells a capture's submitter the outcome once flushes have made both its bytes and
// its name durable. Each flush does two things at once (the spool's: one syncfs of its file
// system): it makes the new batch's bytes durable, and the names the previous flush gave the
// batch before it (renamed into view once their bytes were durable); that earlier batch is
// then answered, and the new one renamed. So every acknowledgement follows a flush that covers
// its capture, one flush covers many, and a steady load costs one flush per batch, not two.
// Nothing waits for a batch to fill: a batch is whatever was submitted while the previous
// flush ran, and names waiting for a flush get one at once, with no new batch if none came
// (a lone request costs its file's fsync and a directory fsync, as before group commit). A
// flush that fails fails every capture it covers (the flush decides each outcome, never the
// committer).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace cmrelay::serve {

enum class StoreResult { Stored, Full, Failed };

// A store's outcome, as its submitter's done gets it.
struct Stored {
  StoreResult result = StoreResult::Failed;
  std::string name{};     // The file's name in the spool (Stored only).
  std::string error{};    // Why not (Failed, Full), for the log.
  uint64_t flush_ns = 0;  // How long the flush that covered it took (0 when none ran).
  size_t batch = 0;       // Captures that flush covered, this one included.
  bool first = false;     // The first of its batch: counts each flush once.
};

// One capture waiting for its flush.
struct Pending {
  std::string tmp, name;  // Temporary and final names inside the spool directory.
  uint64_t bytes = 0;
  StoreResult result = StoreResult::Failed;  // Set by the flush, with error.
  std::string error;
  std::function<void(const Stored&)> done;
  int fd = -1;            // Open on tmp (the spool's flush fsyncs a lone capture by it), closed by the flush.
  uint64_t flush_ns = 0;  // The committer's: time in the flushes so far, and its batch's size.
  size_t batch = 0;
  bool first = false;
};

class Committer {
 public:
  // flush(fresh, named): fresh were written since the last flush, named were renamed into
  // view by it. One flush makes fresh's bytes and named's names durable; then it renames
  // fresh. It sets every result: named's final (Stored, or not when the flush failed: the
  // file is out of view again), fresh's Stored when renamed (answered after the next flush),
  // else why not (answered now).
  using Flush = std::function<void(std::vector<Pending>& fresh, std::vector<Pending>& named)>;
  explicit Committer(Flush flush);
  // Waits for what was submitted to be flushed and answered.
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Queues p for the next flush. p.done is called after it, on the thread leading then: this
  // one (submit returns once nothing waits) when no flush was under way.
  void submit(Pending p);
  // Returns when everything submitted before the call has been flushed and answered.
  void drain();

 private:
  void lead(std::unique_lock<std::mutex>& lock);
  // Calls p.done with its outcome.
  static void answer(Pending& p, uint64_t took);

  Flush flush_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::vector<Pending> queue_;                 // Under mu_.
  uint64_t submitted_ = 0, answered_ = 0;      // Under mu_.
  bool leading_ = false;                       // Under mu_: a thread is flushing.
  std::vector<Pending> fresh_, named_, next_;  // The leader's.
};

}  // namespace cmrelay::serve
