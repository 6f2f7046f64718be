// Wires the reading stages: inputs -> framer -> body -> detect -> decoder -> events.
// Every body either reaches the caller as events or is rejected with one stderr line
// (and a --reject record); nothing is dropped in between.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "detect/detect.h"
#include "event/event.h"
#include "input/framer.h"
#include "vendors/severity.h"

namespace cmrelay {

struct PipelineOptions {
  std::optional<Vendor> vendor;  // Forced vendor; nullopt detects any.
  size_t max_body = Framer::kDefaultMaxBody;
  std::string reject_path;       // --reject: append rejected bodies here as NDJSON.
  SeverityTable severity;
  bool decode = true;            // false: detect only (cmrelay detect).
  uint64_t max_errors = UINT64_MAX;  // Rejection lines printed at most (the rest counted).
  bool quiet = false;            // No rejection or warning lines (counted all the same).
};

struct PipelineCounts {
  uint64_t bodies = 0;    // Records read.
  uint64_t events = 0;    // Events produced.
  uint64_t rejected = 0;  // Records rejected.
  uint64_t unreadable = 0;  // Inputs that could not be opened or read to the end.
  uint64_t unsaid = 0;      // Rejections not printed (--quiet, --max-errors).
};

class Pipeline {
 public:
  // Called for every body that was recognised (and decoded, unless detect-only), with its
  // events after Flashduty's limits were enforced.
  using OnBody = std::function<void(const Record&, const Detection&, EventBatch&)>;

  explicit Pipeline(PipelineOptions options);
  ~Pipeline();

  // Opens the reject file. False with error set when it cannot be opened.
  bool open(std::string& error);
  // Reads every input; stops early when *stop becomes true.
  void run(const std::vector<std::string>& paths, const OnBody& on_body,
           const std::atomic<bool>* stop = nullptr);
  // Reads one open input (named name in messages) to its end; run() calls it per input.
  void read_source(int fd, const std::string& name, const OnBody& on_body,
                   const std::atomic<bool>* stop = nullptr);
  // Rejects a body: one stderr line and, with --reject, one record.
  void reject(const Record& rec, std::string_view reason);
  // Says a warning once per run (the same text again is not repeated).
  void warn_once(const Record& rec, const std::string& message);

  const PipelineCounts& counts() const { return counts_; }
  // Called whenever an input that can wait (a pipe, terminal, socket) has nothing more to
  // read yet: convert flushes its output there, so events stream as their bodies arrive.
  void on_idle(std::function<void()> idle) { idle_ = std::move(idle); }

 private:
  PipelineOptions options_;
  PipelineCounts counts_;
  int reject_fd_ = -1;
  std::set<std::string> said_;
  bool truncation_said_ = false;
  std::function<void()> idle_;
};

}  // namespace cmrelay
