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

#include "detect/detect.h"
#include "event/event.h"
#include "input/record.h"
#include "pipeline/ordered_pool.h"

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
  enum class Kind { Line, Warn, Truncated, Reject, Body };
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

// Records read ahead, processed on a worker, committed in order by the reading thread.
class Chunk final : public OrderedPool::Task {
 public:
  explicit Chunk(Pipeline& owner) : owner_(owner) {}
  void add(const Record& rec);  // Copies rec, its body included.
  void seal();                  // Done adding: the records' bodies point into the copy.
  size_t records() const { return used_; }
  size_t bytes() const { return bytes_.size(); }
  Record& record(size_t i) { return recs_[i]; }
  // Empties the chunk for reuse; buffers grown past keep bytes (a body near --max-body)
  // are freed, so that a few large bodies do not stay resident in every chunk.
  void clear(size_t keep = SIZE_MAX);
  void run(unsigned worker) override;

  Rendered result;

 private:
  Pipeline& owner_;
  std::string bytes_;         // The bodies, back to back.
  std::vector<Record> recs_;  // [0, used_) are this chunk's.
  std::vector<size_t> at_;    // Where each body starts in bytes_.
  size_t used_ = 0;
};

}  // namespace cmrelay
