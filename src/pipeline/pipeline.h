// Wires the reading stages: inputs -> framer -> body -> detect -> decoder -> events.
// Every body either reaches the caller as events or is rejected with one stderr line
// (and a --reject record, streamed when the body is too large to hold); nothing is dropped
// in between. It also tells which input files were read to their end with every body kept
// (converted, or in the reject file): what --remove-done may remove.
//
// With jobs > 1 (--jobs) a run whose input is larger than one chunk is read on all cores:
// this thread frames records into chunks, worker threads detect, decode and render them
// (Render), and this thread commits the chunks strictly in input order: standard output,
// stderr lines, reject records, counts and exit status are byte for byte what one thread
// makes. A chunk may hold the records of many files (a directory of small files is read on
// all cores too): a file's end rides in the chunk after its last record, and what is said
// and decided of the file (a read error, whether --remove-done may remove it) is done when
// that point is committed, never before every record of it is. At most 2 x jobs chunks are
// in flight, so memory stays bounded. When the run's inputs end within the first chunk,
// it is processed on this thread (small runs start no thread); so is a body over max_body
// (streamed to the reject file after every earlier chunk is committed). Whenever the input
// waits (a pipe), every chunk read so far is committed first, so that output still streams
// as bodies arrive (once it has waited 5 ms: a slow producer does not cut every chunk
// short).
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "event/event.h"
#include "input/body.h"
#include "input/framer.h"
#include "input/sources.h"
#include "pipeline/chunk.h"
#include "pipeline/ordered_pool.h"
#include "pipeline/reject_file.h"
#include "report/diag.h"
#include "vendors/detect.h"
#include "vendors/severity.h"

namespace cmrelay {

struct PipelineOptions {
  std::optional<Vendor> vendor;  // Forced vendor; nullopt detects any.
  size_t max_body = Framer::kDefaultMaxBody;
  WalkOptions walk;         // --all-files, --include: what a directory walk reads.
  std::string reject_path;  // --reject: append rejected bodies here as NDJSON.
  SeverityTable severity;
  bool decode = true;  // false: detect only (cmrelay detect).
  // Called for every rejected body with its reason, after the stderr line (cmrelay serve
  // moves the spool file aside with it).
  std::function<void(const Record&, std::string_view reason)> on_reject;
  uint64_t max_errors = UINT64_MAX;      // Rejection lines printed at most (the rest counted).
  bool quiet = false;                    // No rejection or warning lines (counted all the same).
  unsigned jobs = 1;                     // Threads that detect and decode (--jobs); 1 starts none.
  size_t chunk_bytes = size_t{1} << 20;  // Bytes of bodies read ahead per chunk (with jobs > 1).
};

struct PipelineCounts {
  uint64_t bodies = 0;         // Records read.
  uint64_t events = 0;         // Events produced.
  uint64_t rejected = 0;       // Records rejected.
  uint64_t unreadable = 0;     // Inputs that could not be opened or read to the end.
  uint64_t skipped = 0;        // Files a directory walk did not read (each said on stderr).
  uint64_t reject_failed = 0;  // Reject records the file did not take (on stderr instead).
  uint64_t unsaid = 0;         // Rejections not printed (--quiet, --max-errors).
};

// What tells one state of a file from another: device, inode, size, and the modification
// and change times to the nanosecond (a file rewritten in place at the same length, by cp
// or an editor, keeps its inode and size; its ctime moves whatever the writer does).
struct FileStamp {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp file_stamp(const struct stat& st);

// An input file read to its end, every body of it converted or kept in the reject file.
struct ReadInput {
  std::string path;
  FileStamp stamp;     // The file that was read, as it was when read (--remove-done removes only that).
  uint64_t bytes = 0;  // Bytes read.
};

class Pipeline : private Framer::Overflow {
 public:
  // Called for every body that was recognised (and decoded, unless detect-only), with its
  // events after Flashduty's limits were enforced.
  // With jobs > 1 it is called on this thread, in input order, when the body's chunk is
  // committed.
  using OnBody = std::function<void(const Record&, const Detection&, EventBatch&)>;
  // Renders a recognised body into out, on any thread (several at once with --jobs): it may
  // only read shared state. Take receives what was rendered, on this thread, in input order.
  using Render = std::function<void(const Record&, const Detection&, EventBatch&, Rendered& out)>;
  using Take = std::function<void(Rendered&)>;

  explicit Pipeline(PipelineOptions options);
  ~Pipeline() override;

  // Opens the reject file. False with error set when it cannot be opened.
  bool open(std::string& error);
  // Reads every input; stops early when *stop becomes true. With replay, the inputs are
  // dead-letter files (--replay): only dead-letter records are read, anything else is
  // rejected. Without it, a dead-letter record is rejected: live input never chooses its
  // own channel (it would bypass the route file).
  void run(const std::vector<std::string>& paths, const OnBody& on_body, const std::atomic<bool>* stop = nullptr,
           bool replay = false);
  // Reads one open input (named name in messages) to its end and commits all of it (with
  // jobs > 1 its own input decides whether threads start). Returns the bytes read.
  uint64_t read_source(int fd, const std::string& name, const OnBody& on_body, const std::atomic<bool>* stop = nullptr,
                       bool replay = false);
  // Rejects a body: one stderr line and, with --reject, one record.
  void reject(const Record& rec, std::string_view reason);
  // Says a warning once per run (the same text again is not repeated).
  void warn_once(const Record& rec, const std::string& message);

  const PipelineCounts& counts() const { return counts_; }
  // The input files read whole with every body kept, in reading order (never stdin).
  const std::vector<ReadInput>& complete_inputs() const { return complete_; }
  // The other files read, each with why it is not complete ("PATH: kept: why").
  const std::vector<std::string>& incomplete_inputs() const { return incomplete_; }
  // The reject file's descriptor, or -1 (to keep it from being read as an input).
  int reject_fd() const { return reject_.is_open() ? reject_.fd() : -1; }
  // Called whenever an input that can wait (a pipe, terminal, socket) has nothing more to
  // read yet: convert flushes its output there, so events stream as their bodies arrive.
  void on_idle(std::function<void()> idle) { idle_ = std::move(idle); }
  // Bodies go to render, then take, instead of the OnBody given to run() (which may then be
  // empty): the work of a command's output is then shared by the workers too.
  void render_with(Render render, Take take);
  // Worker threads were started: a run's input was larger than one chunk, with jobs > 1.
  bool threads_started() const { return pool_ != nullptr; }

 private:
  friend class Chunk;
  struct Work {  // What detecting and decoding one body needs; one per thread.
    BodyReader reader;
    EventBatch batch;
    Detection detection;
    std::vector<std::string> warnings;
    std::string error;
  };
  // Detects, decodes and renders rec into out (any thread; touches no shared state).
  void process(Record& rec, Work& w, Rendered& out) const;
  void process_chunk(Chunk& chunk, Work& w) const;
  // Says, writes and counts what out holds, in order (this thread), and clears it.
  void commit(Rendered& out);
  void one(Record& rec);          // Processes and commits one body on this thread.
  Chunk& filling();               // The chunk being filled.
  void dispatch();                // The filled chunk to the workers; commits what is done.
  void settle();                  // Processes or waits for every chunk read so far, and commits it.
  bool pending() const;           // Some chunk is read and not committed.
  void commit_done(Chunk* done);  // A chunk the workers are done with: committed, recycled.
  void recycle(Chunk* c);         // A committed chunk back to the free list.
  void note_reject(const Record& rec, std::string_view reason, Rendered& out) const;
  void commit_reject(const Record& rec, std::string_view reason, std::string_view record);

  // Framer::Overflow: an over-limit body is reported at once and streamed to the reject file.
  void passed_limit(const Record& rec) override;
  void bytes(std::string_view part) override;
  // An input's end: what is said and decided of it once its every record is committed.
  struct FileEnd {
    std::string path;      // When regular: listed complete or incomplete (--remove-done).
    bool regular = false;  // A regular file (never stdin, a pipe or one that could not be opened).
    FileStamp stamp;       // As it was when its reading ended.
    uint64_t bytes = 0;
    std::string line;           // Said on stderr, the input counted unreadable (read error, cannot open).
    const char* why = nullptr;  // Not read to its end: why it is kept.
  };
  void read_file(const std::string& path, const std::atomic<bool>* stop);
  // Frames one input into chunks (or processes it here); its end is left to ended().
  FileEnd read_input(int fd, const std::string& name, const std::atomic<bool>* stop);
  void ended(FileEnd end);  // Acts on end now, or after the records read before it are committed.
  void finish();            // Acts on the oldest input end (this thread, in order).

  static std::string replay_problem(const Detection& d, bool replay);
  PipelineOptions options_;
  PipelineCounts counts_;
  RejectFile reject_;
  void not_kept(const char* why);  // The current input is not complete: the first reason wins.

  bool input_kept_ = true;  // Every body committed of the input being committed kept.
  const char* kept_why_ = "";
  std::string over_what_;     // "FILE:RECORD" of the over-limit body being streamed.
  std::string over_carry_;    // Its last 0-2 bytes, not yet base64-encoded.
  std::deque<FileEnd> ends_;  // Inputs read whose records are not all committed yet.
  std::vector<ReadInput> complete_;
  std::vector<std::string> incomplete_;
  diag::Budget rejections_;  // The rejection lines said (--quiet, --max-errors).
  diag::Budget lines_;       // A command's own per-body lines (Rendered::line), bounded alike.
  diag::Warnings warnings_;
  bool truncation_said_ = false;
  std::function<void()> idle_;

  // The reading of the current input, and --jobs.
  const OnBody* on_body_ = nullptr;
  bool replay_ = false;
  bool overflowed_ = false;  // A body passed max_body: it is processed on this thread.
  Render render_;
  Take take_;
  Work work_;     // This thread's.
  Rendered one_;  // One body's result, processed on this thread.
  std::vector<std::unique_ptr<Work>> worker_work_;
  std::unique_ptr<OrderedPool> pool_;  // Started when the run's input outgrows one chunk.
  bool threaded_ = false;              // The run's chunks go to the workers.
  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::vector<Chunk*> free_;
  Chunk* filling_ = nullptr;
  size_t ahead_bytes_ = 0;  // Bytes of bodies in chunks submitted and not yet committed.
};

}  // namespace cmrelay
