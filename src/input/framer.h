// Cuts a byte stream into Records: single JSON bodies, NDJSON, concatenated (pretty-printed)
// documents, top-level JSON arrays of bodies, form-encoded lines, and captured HTTP/1.1
// requests (Content-Length or chunked). The form of each record is decided by its first
// bytes, so one stream may mix them. Memory is bounded by max_body: a longer record is
// skipped without being held, and reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "input/record.h"

namespace cmrelay {

class Framer {
 public:
  static constexpr size_t kDefaultMaxBody = 8u << 20;
  static constexpr size_t kMaxDepth = 200;

  // fd is read until EOF; it is not closed. source names it in records.
  Framer(int fd, std::string source, size_t max_body = kDefaultMaxBody);

  // Fills rec with the next record. Returns false at the end of the stream.
  // A record with rec.error set is a body that could not be cut out cleanly.
  bool next(Record& rec);

  // Set when reading the stream itself failed (EIO...): the stream ends there.
  const std::string& read_error() const { return read_error_; }

 private:
  enum class Scan { Done, NeedMore, Broken };

  bool next_record(Record& rec);
  bool fill();                    // Reads more bytes; false at EOF or error.
  void discard_to(size_t pos);    // Drops buffered bytes before pos.
  size_t avail() const { return end_ - pos_; }
  uint64_t abs(size_t pos) const { return base_ + pos; }

  bool skip_blank();              // Skips whitespace; false at EOF.
  void begin(Record& rec);
  void frame_json(Record& rec);
  void frame_line(Record& rec);
  void frame_http(Record& rec);
  bool looks_like_request_line();
  bool read_line(size_t from, size_t& eol, size_t& next);  // Within the buffer, refilling.
  bool ensure(size_t n);          // At least n bytes available after pos_.
  void finish(Record& rec, size_t body_begin, size_t body_end, size_t consumed_end);
  void skip_oversize(Record& rec, size_t scanned);

  int fd_;
  std::string source_;
  size_t max_body_;
  std::vector<char> buf_;
  size_t pos_ = 0;   // Start of unread data in buf_.
  size_t end_ = 0;   // End of data in buf_.
  uint64_t base_ = 0;  // Stream offset of buf_[0].
  bool eof_ = false;
  bool at_start_ = true;
  bool in_array_ = false;  // Inside a top-level JSON array of bodies.
  uint64_t index_ = 0;
  std::string read_error_;
  std::string decoded_;  // A chunked HTTP body, de-chunked.

  // JSON extent scanner state, kept across buffer refills.
  struct JsonScan {
    bool in_string = false;
    bool escape = false;
    bool line_start = false;
    char last = 0;  // Last significant byte outside strings.
    size_t depth = 0;
    std::vector<char> stack;  // '{' or '[' for the innermost kMaxDepth containers.
    void reset();
  } scan_;
  Scan scan_json(size_t& i, std::string& why);
  static bool continues(const JsonScan& s, char c);
};

}  // namespace cmrelay
