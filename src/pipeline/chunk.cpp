#include "pipeline/chunk.h"

#include <malloc.h>

#include <cstring>

#include "pipeline/pipeline.h"

namespace cmrelay {

void Rendered::line(std::string_view text) { add(Kind::Line, nullptr).text.assign(text); }

void Rendered::write(std::string_view bytes) { std::memcpy(out.Push(bytes.size()), bytes.data(), bytes.size()); }

Rendered::Note& Rendered::add(Kind kind, const Record* rec) {
  if (notes_used_ == notes_.size()) notes_.emplace_back();
  Note& n = notes_[notes_used_++];
  n.kind = kind;
  n.rec = rec;
  n.text.clear();
  n.record.clear();
  return n;
}

void Rendered::clear() {
  out.Clear();
  tally[0] = tally[1] = 0;
  notes_used_ = 0;
  kept_used_ = 0;
  bodies_ = events_ = 0;
  truncated_ = false;
}

void Chunk::add(const Record& rec) {
  if (used_ == recs_.size()) {
    recs_.emplace_back();
    spans_.emplace_back();
  }
  Record& r = recs_[used_];
  r.kind = rec.kind;
  r.index = rec.index;
  r.offset = rec.offset;
  r.length = rec.length;
  r.error.assign(rec.error);
  r.content_type.assign(rec.content_type);
  r.headers.assign(rec.headers.begin(), rec.headers.end());
  r.parsed = false;  // Parsed again by a worker: a record read ahead is never parsed in place.
  // The source's name is the framer's, gone with it when its input ends: a chunk may
  // outlive it (chunks span inputs), so the name is copied too, once per run of records.
  Span& s = spans_[used_];
  if (used_ == 0 || std::string_view(bytes_).substr(source_.at, source_.size) != rec.source) {
    source_ = {bytes_.size(), rec.source.size()};
    bytes_.append(rec.source);
  }
  s.source = source_;
  s.body = {bytes_.size(), rec.body.size()};
  bytes_.append(rec.body);
  ++used_;
}

void Chunk::seal() {
  const std::string_view all(bytes_);
  for (size_t i = 0; i < used_; ++i) {
    recs_[i].source = all.substr(spans_[i].source.at, spans_[i].source.size);
    recs_[i].body = all.substr(spans_[i].body.at, spans_[i].body.size);
  }
}

void Chunk::clear(size_t keep) {
  bytes_.clear();
  if (bytes_.capacity() > keep) std::string().swap(bytes_);
  used_ = 0;
  ends_.clear();
  result.clear();
  if (result.out.stack_.GetCapacity() > keep) result.out.ShrinkToFit();  // Cleared: shrinks to nothing.
}

void Chunk::run(unsigned worker) {
  owner_.process_chunk(*this, *owner_.worker_work_[worker]);
  // A body of several MiB grows this thread's reusable buffers (the parser's pools, the
  // reader's copies) to its size, and they keep it: with many threads, each would keep its
  // largest body's. Such a chunk's worker starts afresh, and the memory goes back at once.
  constexpr size_t kLarge = size_t{4} << 20;
  if (bytes_.size() >= kLarge) {
    owner_.worker_work_[worker] = std::make_unique<Pipeline::Work>();
    ::malloc_trim(0);
  }
}

}  // namespace cmrelay
