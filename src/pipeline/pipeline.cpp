#include "pipeline/pipeline.h"

#include <fcntl.h>
#include <poll.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "event/limits.h"
#include "input/body.h"
#include "input/sources.h"
#include "report/diag.h"
#include "report/write_all.h"
#include "text/base64.h"
#include "text/escape.h"
#include "text/utf8.h"
#include "vendors/flashduty.h"

namespace cmrelay {
namespace {

// Records per chunk at most, however small they are: bounds the bookkeeping per chunk.
constexpr size_t kChunkRecords = 4096;
// Bytes of bodies read ahead at most (besides the chunk being filled), whatever --jobs is.
constexpr size_t kMaxAheadBytes = size_t{32} << 20;

}  // namespace

Pipeline::Pipeline(PipelineOptions options)
    : options_(std::move(options)),
      rejections_(options_.quiet, options_.max_errors),
      lines_(options_.quiet, options_.max_errors),
      warnings_(options_.quiet) {}

Pipeline::~Pipeline() {
  pool_.reset();  // Its workers may hold chunks (after an exception): before the chunks go.
}

bool Pipeline::open(std::string& error) {
  return options_.reject_path.empty() || reject_.open(options_.reject_path, error);
}

void Pipeline::warn_once(const Record& rec, const std::string& message) {
  warnings_.once(rec.source, rec.index, message);
}

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void put(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// Bytes kept exactly: as a string when they are UTF-8, else base64 under KEY_base64.
void put_bytes(JsonWriter& w, const char* key, std::string_view s) {
  if (utf8::valid(s)) {
    w.Key(key);
    put(w, s);
  } else {
    w.Key((std::string(key) + "_base64").c_str());
    put(w, base64::encode(s));
  }
}

// source, record, offset and content_type: what a reject record says of where it was.
void put_origin(JsonWriter& w, const Record& rec) {
  put_bytes(w, "source", rec.source);
  w.Key("record");
  w.Uint64(rec.index);
  w.Key("offset");
  w.Uint64(rec.offset);
  if (!rec.content_type.empty() && utf8::valid(rec.content_type)) {
    w.Key("content_type");
    put(w, rec.content_type);
  }
}

void put_reason(JsonWriter& w, std::string_view reason) {
  w.Key("reason");
  put(w, utf8::valid(reason) ? reason : std::string_view("(reason not valid UTF-8)"));
}

// FILE:RECORD of a diagnostic, the file name escaped (it comes from outside).
std::string where(const Record& rec) { return diag::where(rec.source, rec.index); }

}  // namespace

void Pipeline::passed_limit(const Record& rec) {
  // Everything read before this body is said and written before it; it is processed on
  // this thread (its record is streamed to the reject file, not held).
  settle();
  overflowed_ = true;
  // Said with the rejection line that follows, under the same bound (--quiet, --max-errors).
  if (rejections_.open()) {
    diag::say("%s: longer than the %zu-byte limit (--max-body); reading on to its end%s", where(rec).c_str(),
              options_.max_body, reject_.is_open() ? ", into the reject file" : "");
  }
  if (!reject_.is_open()) return;
  // The record's head is written now, the body as base64 while it is read (whether it is
  // UTF-8 is not known before its end), the length and reason when it ends.
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  put_origin(w, rec);
  w.EndObject();
  std::string head(sb.GetString(), sb.GetSize() - 1);  // Without the closing brace.
  head += ",\"body_base64\":\"";
  over_carry_.clear();
  reject_.begin(head, where(rec));
}

void Pipeline::bytes(std::string_view part) {
  if (!reject_.streaming()) return;
  if (!over_carry_.empty()) {
    const size_t take = std::min(part.size(), 3 - over_carry_.size());
    over_carry_.append(part.substr(0, take));
    part.remove_prefix(take);
    if (over_carry_.size() < 3) return;
    reject_.part(base64::encode(over_carry_));
    over_carry_.clear();
  }
  // Whole groups of three bytes now; a remainder waits for the next part.
  constexpr size_t kStep = size_t{3} * 4096;
  while (part.size() >= 3) {
    const size_t n = std::min(part.size() / 3 * 3, kStep);
    reject_.part(base64::encode(part.substr(0, n)));
    part.remove_prefix(n);
  }
  over_carry_.assign(part);
}

namespace {

// A rejected body's reject record, whole: where it was, its length, the reason, the body.
std::string reject_record(const Record& rec, std::string_view reason) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  put_origin(w, rec);
  w.Key("length");
  w.Uint64(rec.length);
  put_reason(w, reason);
  put_bytes(w, "body", rec.body);
  w.EndObject();
  sb.Put('\n');
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace

void Pipeline::reject(const Record& rec, std::string_view reason) {
  commit_reject(rec, reason, reject_.is_open() && !reject_.streaming() ? reject_record(rec, reason) : std::string());
}

void Pipeline::note_reject(const Record& rec, std::string_view reason, Rendered& out) const {
  Rendered::Note& n = out.add(Rendered::Kind::Reject, &rec);
  n.text.assign(reason);
  if (reject_.is_open()) n.record = reject_record(rec, reason);
}

// record: the whole reject record, unless the body is being streamed (its tail is made here).
void Pipeline::commit_reject(const Record& rec, std::string_view reason, std::string_view record) {
  ++counts_.rejected;
  // Reasons quote keys and values of the body: escaped (diag), so that a body cannot write lines.
  if (rejections_.take()) {
    diag::record(rec.source, rec.index, reason);
  } else {
    ++counts_.unsaid;
  }
  if (options_.on_reject) options_.on_reject(rec, reason);
  bool kept = false;
  if (reject_.streaming()) {
    reject_.part(base64::encode(over_carry_));
    over_carry_.clear();
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("length");
    w.Uint64(rec.length);
    put_reason(w, reason);
    w.EndObject();
    sb.Put('\n');
    // The tail closes the body string and continues the object begun in passed_limit.
    kept = reject_.end("\"," + std::string(sb.GetString() + 1, sb.GetSize() - 1));
  } else if (reject_.is_open()) {
    kept = reject_.write(record);
  }
  if (reject_.is_open() && !kept) ++counts_.reject_failed;
  if (!kept)
    not_kept(reject_.is_open() ? "a reject record could not be written"
                               : "a rejected body is kept nowhere else (no --reject)");
}

void Pipeline::not_kept(const char* why) {
  if (input_kept_) kept_why_ = why;
  input_kept_ = false;
}

// Why a body may not be read as it is: a dead-letter record among live input (it names its
// own channel, and would bypass the route file), or a live body among --replay input.
std::string Pipeline::replay_problem(const Detection& d, bool replay) {
  bool dead_letter = d.format == &flashduty::kDeadLetterFormat;
  if (dead_letter && !replay) {
    return "a dead-letter record: its channel is not taken from live input (give dead-letter files with --replay FILE)";
  }
  if (!dead_letter && replay) {
    return "not a dead-letter record (format " + std::string(d.format->id) +
           "): --replay FILE reads dead-letter records only (give live input as PATH)";
  }
  return {};
}

void Pipeline::run(const std::vector<std::string>& paths, const OnBody& on_body, const std::atomic<bool>* stop,
                   bool replay) {
  Inputs inputs = expand_inputs(paths, options_.walk);
  for (const std::string& e : inputs.unreadable) {
    ++counts_.unreadable;
    diag::say("%s", text::escape(e).c_str());
  }
  for (const std::string& e : inputs.skipped) {
    ++counts_.skipped;
    diag::say("%s", e.c_str());
  }
  // The chunks span files: the run's input, not each file, decides whether threads start,
  // and a file's end is acted on when its last record is committed. The records' sources
  // point into inputs.files, which outlives them (everything is committed before return).
  threaded_ = false;
  on_body_ = &on_body;
  replay_ = replay;  // Set once a run: the workers read it.
  for (const std::string& path : inputs.files) {
    if (stop && stop->load()) break;
    if (path == "-") {
      ended(read_input(STDIN_FILENO, kStdinName, stop));
      continue;
    }
    read_file(path, stop);
  }
  settle();
}

FileStamp file_stamp(const struct stat& st) {
  constexpr int64_t kNs = 1000000000;
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * kNs + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_ctim.tv_sec) * kNs + st.st_ctim.tv_nsec};
}

void Pipeline::read_file(const std::string& path, const std::atomic<bool>* stop) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    FileEnd end;
    end.line = text::escape(path) + ": cannot read: " + std::strerror(errno);
    ended(std::move(end));
    return;
  }
  struct stat before {};
  const bool stamped = ::fstat(fd, &before) == 0;
  struct stat st {};
  FileEnd end = read_input(fd, path, stop);
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    end.path = path;
    end.regular = true;
    end.stamp = file_stamp(st);
    // Written to while it was read: what was read may be neither its old content nor its new.
    if (!stamped || file_stamp(before) != end.stamp) end.why = "it changed while it was read";
  }
  ::close(fd);
  ended(std::move(end));
}

uint64_t Pipeline::read_source(int fd, const std::string& name, const OnBody& on_body, const std::atomic<bool>* stop,
                               bool replay) {
  threaded_ = false;  // Until this input outgrows its first chunk.
  on_body_ = &on_body;
  replay_ = replay;
  FileEnd end = read_input(fd, name, stop);
  const uint64_t bytes = end.bytes;
  ended(std::move(end));
  settle();
  return bytes;
}

Pipeline::FileEnd Pipeline::read_input(int fd, const std::string& name, const std::atomic<bool>* stop) {
  Framer framer(fd, name, options_.max_body, stop, this);
  const bool ahead = options_.jobs > 1;  // Records are read ahead into chunks.
  // One thread: JSON bodies are parsed where they are framed (one pass over the bytes), by
  // this thread's reader, before the next record is framed. Read ahead, the records are
  // copied into chunks and parsed by the workers.
  if (!ahead) framer.parse_in_place(&work_.reader);
  if (idle_ || ahead) {
    framer.on_idle([this, fd] {
      // What was read is out before the input waits. A producer slower than the reader
      // (zcat) leaves the pipe empty for a moment at every read: waiting a little for it
      // first keeps the chunks whole and the workers busy.
      constexpr int kPauseMs = 5;
      pollfd p{fd, POLLIN, 0};
      if (pending() && ::poll(&p, 1, kPauseMs) > 0) return;
      settle();
      if (idle_) idle_();
    });
  }
  overflowed_ = false;
  FileEnd end;
  Record rec;
  for (;;) {
    if (stop && stop->load()) break;
    try {
      if (!framer.next(rec)) break;
    } catch (const std::exception& ex) {
      settle();  // Every earlier record (and file) is committed: this input is the one committing.
      // The framer cannot say where this source resumes: stop it, loudly.
      ++counts_.unreadable;
      diag::say("%s: cannot frame the input after record %llu: %s", text::escape(name).c_str(),
                static_cast<unsigned long long>(rec.index), ex.what());
      not_kept("it could not be framed to its end");
      if (reject_.streaming()) reject(rec, ex.what());  // Close the record begun for it.
      end.bytes = framer.bytes_read();
      return end;
    }
    if (!ahead || overflowed_) {
      overflowed_ = false;
      one(rec);
      continue;
    }
    Chunk& c = filling();
    c.add(rec);
    if (c.full(options_.chunk_bytes, kChunkRecords)) dispatch();
  }
  if (!framer.read_error().empty()) {
    end.line = text::escape(name) + ": read error: " + framer.read_error();
    end.why = "a read error";
  } else if (framer.stopped() || (stop != nullptr && stop->load())) {
    end.why = "not read to its end (interrupted)";
  }
  end.bytes = framer.bytes_read();
  return end;
}

void Pipeline::ended(FileEnd end) {
  ends_.push_back(std::move(end));
  if (!pending()) {  // Every record of it is committed already.
    finish();
    return;
  }
  // Acted on when the records framed before it are committed, in the chunk's order.
  Chunk& c = filling();
  c.end_here();
  if (c.full(options_.chunk_bytes, kChunkRecords)) dispatch();
}

void Pipeline::finish() {
  FileEnd& end = ends_.front();
  if (!end.line.empty()) {
    ++counts_.unreadable;
    diag::say("%s", end.line.c_str());
  }
  if (end.why != nullptr) not_kept(end.why);
  if (end.regular) {
    if (input_kept_) {
      complete_.push_back({std::move(end.path), end.stamp, end.bytes});
    } else {
      incomplete_.push_back(text::escape(end.path) + ": kept: " + kept_why_);
    }
  }
  ends_.pop_front();
  input_kept_ = true;  // The next input's records are committed next.
  kept_why_ = "";
}

void Pipeline::render_with(Render render, Take take) {
  render_ = std::move(render);
  take_ = std::move(take);
}

void Pipeline::process(Record& rec, Work& w, Rendered& out) const {
  ++out.bodies_;
  if (!rec.error.empty()) {
    note_reject(rec, rec.error, out);
    return;
  }
  json::Value* body = w.reader.read(rec, w.error);
  if (body == nullptr) {
    note_reject(rec, w.error, out);
    return;
  }
  if (!w.reader.warning().empty()) out.add(Rendered::Kind::Warn, &rec).text = w.reader.warning();
  Detection& d = w.detection;
  detect(*body, options_.vendor, d);
  if (d.format == nullptr) {
    note_reject(rec, d.error, out);
    return;
  }
  if (std::string why = replay_problem(d, replay_); !why.empty()) {
    note_reject(rec, why, out);
    return;
  }
  EventBatch& batch = w.batch;
  batch.clear();
  if (options_.decode) {
    w.warnings.clear();
    DecodeContext ctx{options_.severity, w.reader.parser(), w.warnings, rec};
    try {
      d.format->decode(*body, ctx, batch);
    } catch (const std::exception& ex) {
      note_reject(rec, std::string(d.format->id) + ": " + ex.what(), out);
      return;
    }
    for (const std::string& warning : w.warnings) out.add(Rendered::Kind::Warn, &rec).text = warning;
    if (batch.empty()) {
      note_reject(rec, std::string(d.format->id) + ": the body holds no event", out);
      return;
    }
    for (Event& e : batch) {
      if (d.format->vendor != Vendor::Flashduty && defuse_template(e)) {
        out.add(Rendered::Kind::Warn, &rec).text =
            "title_rule began with [TPL], which Flashduty would render as a template; sent as (TPL)";
      }
      std::string cut = enforce_limits(e);
      if (!cut.empty() && !out.truncated_) {  // Only a run's first is said: the first of each is enough.
        out.truncated_ = true;
        out.add(Rendered::Kind::Truncated, &rec).text = std::move(cut);
      }
    }
    out.events_ += batch.size();
  }
  if (render_) {
    render_(rec, d, batch, out);
    return;
  }
  if (out.kept_used_ == out.kept_.size()) out.kept_.emplace_back();
  Rendered::Kept& k = out.kept_[out.kept_used_];
  k.detection = d;             // A copy into the kept one's storage: d keeps its own for the next body.
  std::swap(k.events, batch);  // The batch's old events are cleared on its next use.
  out.add(Rendered::Kind::Body, &rec).kept = out.kept_used_++;
}

void Pipeline::commit(Rendered& out) {
  counts_.bodies += out.bodies_;
  counts_.events += out.events_;
  for (size_t i = 0; i < out.notes_used_; ++i) {
    Rendered::Note& n = out.notes_[i];
    switch (n.kind) {
      case Rendered::Kind::Line:  // A command's per-body line: bounded as rejection lines are.
        if (lines_.take()) diag::say("%s", n.text.c_str());
        break;
      case Rendered::Kind::Warn:
        warn_once(*n.rec, n.text);
        break;
      case Rendered::Kind::Truncated:
        if (!truncation_said_) {
          truncation_said_ = true;
          warn_once(*n.rec, n.text + " to fit Flashduty's limits (further truncations are not reported)");
        }
        break;
      case Rendered::Kind::Reject:
        commit_reject(*n.rec, n.text, n.record);
        break;
      case Rendered::Kind::End:
        finish();
        break;
      case Rendered::Kind::Body: {
        Rendered::Kept& k = out.kept_[n.kept];
        if (*on_body_) (*on_body_)(*n.rec, k.detection, k.events);
        break;
      }
    }
  }
  if (take_) take_(out);
  out.clear();
}

void Pipeline::one(Record& rec) {
  process(rec, work_, one_);
  commit(one_);
}

void Pipeline::process_chunk(Chunk& chunk, Work& w) const {
  size_t e = 0;  // The inputs that end in this chunk, each after the records framed before it.
  for (size_t i = 0; i < chunk.records(); ++i) {
    for (; e < chunk.ends() && chunk.end_after(e) == i; ++e) chunk.result.add(Rendered::Kind::End, nullptr);
    process(chunk.record(i), w, chunk.result);
  }
  for (; e < chunk.ends(); ++e) chunk.result.add(Rendered::Kind::End, nullptr);
}

Chunk& Pipeline::filling() {
  if (filling_ != nullptr) return *filling_;
  if (free_.empty()) {
    chunks_.push_back(std::make_unique<Chunk>(*this));
    free_.push_back(chunks_.back().get());
  }
  filling_ = free_.back();
  free_.pop_back();
  return *filling_;
}

void Pipeline::commit_done(Chunk* done) {
  ahead_bytes_ -= done->bytes();
  commit(done->result);
  recycle(done);
}

void Pipeline::recycle(Chunk* c) {
  c->clear(4 * options_.chunk_bytes);  // What a chunk of usual bodies grows to is kept.
  free_.push_back(c);
}

void Pipeline::dispatch() {
  Chunk* c = filling_;
  filling_ = nullptr;
  c->seal();
  if (!pool_) {
    worker_work_.clear();
    for (unsigned i = 0; i < options_.jobs; ++i) worker_work_.push_back(std::make_unique<Work>());
    pool_ = std::make_unique<OrderedPool>(options_.jobs);
  }
  threaded_ = true;
  pool_->submit(c);
  ahead_bytes_ += c->bytes();
  // Bounded: at most 2 x jobs chunks, and kMaxAheadBytes of bodies, in flight (bodies near
  // --max-body would otherwise make that many chunks hold that many of them). What is done
  // already goes out now.
  const size_t max_in_flight = size_t{2} * options_.jobs;
  while (OrderedPool::Task* t = pool_->take(pool_->in_flight() >= max_in_flight || ahead_bytes_ > kMaxAheadBytes)) {
    commit_done(static_cast<Chunk*>(t));
  }
}

bool Pipeline::pending() const {
  return (filling_ != nullptr && !filling_->empty()) || (pool_ && pool_->in_flight() > 0);
}

void Pipeline::settle() {
  if (filling_ != nullptr && !filling_->empty()) {
    if (threaded_) {
      dispatch();
    } else {
      // The run's input ended (or waits) within its first chunk: no thread is worth starting.
      Chunk* c = filling_;
      filling_ = nullptr;
      c->seal();
      process_chunk(*c, work_);
      commit(c->result);
      recycle(c);
    }
  }
  if (!pool_) return;
  while (OrderedPool::Task* t = pool_->take(true)) commit_done(static_cast<Chunk*>(t));
}

}  // namespace cmrelay
