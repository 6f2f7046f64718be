// Cuts a byte stream into Records: single JSON bodies, NDJSON, concatenated (pretty-printed)
// documents, top-level JSON arrays of bodies, form-encoded lines, and captured HTTP/1.1
// requests (Content-Length, chunked, or neither). The form of each record is decided by its
// first bytes, so one stream may mix them. Memory is bounded by max_body: a longer record is
// skipped without being held, and reported. Every byte of input ends up in exactly one
// record, so nothing is skipped without a word.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "input/record.h"

namespace cmrelay {

class Framer {
 public:
  static constexpr size_t kDefaultMaxBody = 8u << 20;
  static constexpr size_t kMaxDepth = 200;
  static constexpr size_t kMaxHeaderBytes = 64u << 10;

  // fd is read until EOF; it is not closed. source names it in records. When *stop is true
  // and a read is interrupted by a signal, the stream ends there (a FIFO that stays open
  // must not hold a stopping run).
  Framer(int fd, std::string source, size_t max_body = kDefaultMaxBody, const std::atomic<bool>* stop = nullptr);

  // Fills rec with the next record. Returns false at the end of the stream.
  // A record with rec.error set is a body that could not be cut out cleanly.
  bool next(Record& rec);

  // idle is called before a read that would wait (a pipe, terminal or socket with nothing
  // to read yet; never for a regular file): the moment to flush what was written so far,
  // so that a consumer downstream sees each record as soon as it arrived.
  void on_idle(std::function<void()> idle);

  // Set when reading the stream itself failed (EIO...): the stream ends there.
  const std::string& read_error() const { return read_error_; }

 private:
  enum class Scan { Done, NeedMore, Broken };
  enum class Line { Found, End, TooLong };

  // Buffer: bytes [pos_, end_) of buf_ are unread; positions below are relative to pos_.
  bool fill();                 // Reads more bytes; false at the end of input.
  bool ensure(size_t n);       // At least n bytes available; false when input ends first.
  uint64_t skip(uint64_t n);   // Drops up to n bytes, reading as needed; returns how many.
  Line find_eol(size_t from, size_t limit, size_t& eol);  // eol: offset of '\n' or of the end.
  size_t avail() const { return end_ - pos_; }
  std::string_view view(size_t from, size_t to) const { return {buf_.data() + pos_ + from, to - from}; }
  void finish(Record& rec, size_t body_begin, size_t body_end, size_t consumed);
  void oversize(Record& rec, uint64_t consumed);

  bool next_record(Record& rec);
  bool skip_blank();  // Skips whitespace and byte-order marks; false at the end.
  void begin(Record& rec);
  void frame_json(Record& rec);
  void frame_line(Record& rec);
  Scan scan_json(size_t& i, std::string& why);

  // Captured HTTP requests (framer_http.cpp).
  bool looks_like_request_line();
  void frame_http(Record& rec);
  void frame_chunked(Record& rec, size_t header_end);
  void frame_unsized(Record& rec, size_t header_end);

  int fd_;
  const std::atomic<bool>* stop_;
  std::function<void()> idle_;  // Only set for streams that can wait (see on_idle).
  std::string source_;
  size_t max_body_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t base_ = 0;  // Stream offset of buf_[0].
  bool eof_ = false;
  bool in_array_ = false;        // Inside a top-level JSON array of bodies.
  bool expect_element_ = false;  // In that array, after '[' or ','.
  bool keep_empty_ = false;      // The record just framed consumed nothing, on purpose.
  uint64_t index_ = 0;
  std::string read_error_;
  std::string decoded_;  // A chunked HTTP body, de-chunked.

  // JSON extent scanner state, kept across buffer refills.
  struct JsonScan {
    bool in_string = false;
    bool escape = false;
    bool line_start = false;   // Only blanks since the last newline.
    bool column0 = false;      // ... and not even those.
    bool first_line = true;    // No newline seen yet.
    size_t first_line_bytes = 0;  // Significant bytes on the first line.
    char last = 0;             // Last significant byte outside strings.
    size_t depth = 0;
    std::vector<char> stack;   // '{' or '[' for the innermost kMaxDepth containers.
    void reset();
  } scan_;
  static bool continues(const JsonScan& s, char c);
};

}  // namespace cmrelay
