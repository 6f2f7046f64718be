// What the reading stages hand between threads with --jobs: a Chunk of records read ahead
// (their bytes copied out of the framer's buffer), and the Rendered result of a chunk or of
// one body: output bytes, and every stderr line, warning, rejection and body in input order,
// so that the pipeline can commit them exactly as one thread would have made them. Both are
// reused (cleared, never freed) so that a steady run allocates nothing per record here.
#pragma once

#include <rapidjson/stringbuffer.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "input/record.h"
#include "pipeline/ordered_pool.h"
#include "vendors/detect.h"

namespace cmrelay {

class Pipeline;

// What the bodies make, rendered off the reading thread and taken in input order.
class Rendered {
 public:
  rapidjson::StringBuffer out;         // Bytes for standard output.
  uint64_t tally[2] = {0, 0};          // The command's own counts (convert: events routed nowhere).
  void write(std::string_view bytes);  // Appends bytes to out.
  // A diagnostic for stderr (without "cmrelay: " and the newline: diag::say adds them), said
  // in order with the run's rejections and warnings.
  void line(std::string_view text);

 private:
  friend class Pipeline;
  friend class Chunk;
  enum class Kind { Line, Warn, Truncated, Reject, Body, End };  // End: an input's end.
  struct Note {
    Kind kind = Kind::Line;
    const Record* rec = nullptr;
    std::string text;    // The line, the warning, the cut, or the rejection's reason.
    std::string record;  // Reject: the reject file's record, when there is a reject file.
    size_t kept = 0;     // Body: its index in kept_.
  };
  struct Kept {  // A body's events, for an OnBody called when it is committed.
    Detection detection;
    EventBatch events;
  };
  Note& add(Kind kind, const Record* rec);
  void clear();

  std::vector<Note> notes_;
  size_t notes_used_ = 0;
  std::vector<Kept> kept_;
  size_t kept_used_ = 0;
  uint64_t bodies_ = 0, events_ = 0;
  bool truncated_ = false;  // A truncation is noted already (only a run's first is said).
};

// Records read ahead (of one input or several), processed on a worker, committed in order
// by the reading thread.
class Chunk final : public OrderedPool::Task {
 public:
  explicit Chunk(Pipeline& owner) : owner_(owner) {}
  void add(const Record& rec);  // Copies rec, its body and its source's name included.
  void seal();                  // Done adding: the records' bodies point into the copy.
  // The current input ends here, after the records added so far: its end is acted on when
  // they are committed (a chunk may hold the records of several inputs).
  void end_here() { ends_.push_back(used_); }
  size_t records() const { return used_; }
  size_t ends() const { return ends_.size(); }
  size_t end_after(size_t e) const { return ends_[e]; }  // Records before end e.
  bool empty() const { return used_ == 0 && ends_.empty(); }
  // Enough for one chunk: bytes, records or input ends (many empty files) at their bound.
  bool full(size_t max_bytes, size_t max_records) const {
    return bytes_.size() >= max_bytes || used_ >= max_records || ends_.size() >= max_records;
  }
  size_t bytes() const { return bytes_.size(); }
  Record& record(size_t i) { return recs_[i]; }
  // Empties the chunk for reuse; buffers grown past keep bytes (a body near --max-body)
  // are freed, so that a few large bodies do not stay resident in every chunk.
  void clear(size_t keep = SIZE_MAX);
  void run(unsigned worker) override;

  Rendered result;

 private:
  Pipeline& owner_;
  struct Range {
    size_t at = 0, size = 0;
  };
  struct Span {  // Where a record's source name and body are in bytes_.
    Range source, body;
  };
  std::string bytes_;         // The bodies, back to back, each source's name before its first.
  std::vector<Record> recs_;  // [0, used_) are this chunk's.
  std::vector<Span> spans_;
  Range source_;              // The last record's source name.
  std::vector<size_t> ends_;  // The inputs ending in this chunk: records before each end.
  size_t used_ = 0;
};

}  // namespace cmrelay
