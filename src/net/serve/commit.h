// Group commit for the spool: any thread submits a capture already written under a temporary
// name; one committer thread takes every capture submitted since its last flush as one batch,
// makes the whole batch durable with one flush (the spool's: syncfs of its file system, the
// renames, one directory fsync), and only then tells each capture's submitter the outcome.
// So every acknowledgement follows a flush that covers its capture, while one flush covers
// many. Nothing waits for a batch to fill: a batch is whatever was submitted while the
// previous flush ran, a single capture when requests come one at a time. A flush that fails
// fails every capture of its batch (the flush decides each one's outcome, never the committer).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
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
  int fd = -1;  // Open on tmp (the spool's flush fsyncs a lone capture by it), closed by the flush.
};

class Committer {
 public:
  // flush makes a batch durable and sets each member's result (and error when not Stored).
  using Flush = std::function<void(std::vector<Pending>&)>;
  explicit Committer(Flush flush);
  // Flushes what was submitted, then stops.
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Queues p for the next flush; p.done is called on the committer thread after it.
  void submit(Pending p);
  // Returns when everything submitted before the call has been flushed and answered.
  void drain();

 private:
  void run();

  Flush flush_;
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::vector<Pending> queue_;
  uint64_t submitted_ = 0, answered_ = 0;  // Under mu_.
  bool stop_ = false;
  std::thread thread_;  // Last: started once everything above exists.
};

}  // namespace cmrelay::serve
