// Cuts a byte stream into Records: single JSON bodies, NDJSON, concatenated (pretty-printed)
// documents, top-level JSON arrays of bodies, form-encoded lines, and captured HTTP/1.1
// requests (Content-Length, chunked, or neither). The form of each record is decided by its
// first bytes, so one stream may mix them. A run of NUL bytes (padding, a damaged file) is a
// record of its own, so that a body after it is framed as usual. Memory is bounded by
// max_body: a longer record is not held; the Overflow is told when it passes the limit and
// handed its body's bytes as they are skipped, and the record is reported. Every byte of
// input ends up in exactly one record, so nothing is skipped without a word.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "input/inflate.h"
#include "input/record.h"

namespace cmrelay {

class Framer {
 public:
  static constexpr size_t kDefaultMaxBody = 8u << 20;
  static constexpr size_t kMaxDepth = 200;
  static constexpr size_t kMaxHeaderBytes = 64u << 10;

  // Receives the records longer than max_body while they are skipped.
  class Overflow {
   public:
    virtual ~Overflow() = default;
    // rec (source, index, offset, content_type) has just passed max_body.
    virtual void passed_limit(const Record& rec) = 0;
    // The next bytes of that record's body (none for a run of NUL bytes), in order.
    virtual void bytes(std::string_view part) = 0;
  };

  // Parses a JSON body where it lies in the framing buffer, so that its bytes are scanned
  // once: framing and parsing in one pass.
  class InPlace {
   public:
    virtual ~InPlace() = default;
    // Parses the JSON value bytes begin with and returns its length, looking at no byte after
    // it; 0 when bytes do not begin with one valid value. read: how many bytes it read.
    // scratch: a copy of bytes followed by a NUL, which the parse may rewrite (RapidJSON's
    // in-situ parsing: strings are unescaped where they lie and referred to, not copied); it
    // stays as the parse left it until the next record is framed. bytes stay as they are.
    virtual size_t parse_first(std::string_view bytes, char* scratch, size_t& read) = 0;
  };

  // fd is read until EOF; it is not closed. source names it in records. Once *stop is true
  // no more is read (also when a read is interrupted by a signal: a FIFO that stays open
  // must not hold a stopping run) and the stream ends there; stopped() then says so.
  Framer(int fd, std::string source, size_t max_body = kDefaultMaxBody, const std::atomic<bool>* stop = nullptr,
         Overflow* overflow = nullptr);

  // Fills rec with the next record. Returns false at the end of the stream.
  // A record with rec.error set is a body that could not be cut out cleanly.
  bool next(Record& rec);

  // idle is called before a read that would wait (a pipe, terminal or socket with nothing
  // to read yet; never for a regular file): the moment to flush what was written so far,
  // so that a consumer downstream sees each record as soon as it arrived.
  void on_idle(std::function<void()> idle);

  // Bodies that open with '{' are offered to in_place first; one it parses is returned with
  // rec.parsed set. Any other, or one it refuses, is framed the long way, which alone
  // decides the records of what is not one valid JSON value (the same records either way).
  // What in_place reads in vain is bounded by the stream's length (plus a buffer): past that
  // the long way alone is taken, so no input costs more than twice the bytes scanned.
  void parse_in_place(InPlace* in_place) { in_place_ = in_place; }

  // Set when reading the stream itself failed (EIO...): the stream ends there.
  const std::string& read_error() const { return read_error_; }
  // The stream ended because *stop became true, not at its end.
  bool stopped() const { return stopped_; }
  // Bytes read from fd so far.
  uint64_t bytes_read() const { return base_ + end_; }
  // Bytes copied for in-place parses so far (the scratch copy; see mirror()).
  uint64_t mirrored() const { return mirrored_; }

 private:
  enum class Scan { Done, NeedMore, Broken };
  enum class Line { Found, End, TooLong };

  // Buffer: bytes [pos_, end_) of buf_ are unread; positions below are relative to pos_.
  bool fill();                                            // Reads more bytes; false at the end of input.
  bool ensure(size_t n);                                  // At least n bytes available; false when input ends first.
  uint64_t skip(uint64_t n);                              // Drops up to n bytes, reading as needed; returns how many.
  Line find_eol(size_t from, size_t limit, size_t& eol);  // eol: offset of '\n' or of the end.
  size_t avail() const { return end_ - pos_; }
  std::string_view view(size_t from, size_t to) const { return {buf_.data() + pos_ + from, to - from}; }
  void finish(Record& rec, size_t body_begin, size_t body_end, size_t consumed);
  void oversize(Record& rec, uint64_t consumed);
  void pass_limit(const Record& rec);  // Tells the Overflow, once per record.
  void spill(std::string_view part);   // Hands skipped body bytes to the Overflow.

  bool next_record(Record& rec);
  bool skip_blank();  // Skips whitespace and byte-order marks; false at the end.
  void begin(Record& rec);
  void frame_json(Record& rec);
  bool frame_parsed(Record& rec);
  char* mirror(size_t n);
  void copy_to_mirror(uint64_t from, uint64_t to);  // Stream offsets, within the buffer.
  void frame_line(Record& rec);
  void frame_nul(Record& rec);
  Scan scan_json(size_t& i, std::string& why);

  // Pasted bodies (framer_paste.cpp): a "Content-Type:" line and a blank line above a body;
  // a form split one field per line, each continuation line starting with '&'.
  size_t pasted_header(Record& rec);           // Bytes of such a header block (consumed), else 0.
  size_t join_form_lines(size_t eol);          // Extends a form line [0, eol) over '&' lines; its new eol.
  size_t squeeze_form_lines(size_t body_end);  // Drops their line breaks in place; the new end.
  uint64_t skip_form_lines(bool mid_line);     // Drops (the rest of a line and) '&' lines; bytes.

  // Captured HTTP requests (framer_http.cpp).
  bool looks_like_request_line();
  void frame_http(Record& rec);
  struct HttpHead;  // What a capture's header block says of its body.
  // Reads the header lines from at; false when rec is finished already (rejected).
  bool read_http_head(Record& rec, size_t at, HttpHead& head);
  void frame_sized(Record& rec, const HttpHead& head);
  void type_capture(Record& rec, std::string problem, const std::string& codings);
  void frame_chunked(Record& rec, size_t header_end);
  void frame_unsized(Record& rec, size_t header_end);
  // keep: where the part held for the record starts; once over the limit, what was scanned is
  // dropped, handed to the Overflow first when rec is given, and keep becomes 0.
  size_t capture_end(const Record* rec, size_t& keep, size_t at, bool first_may_end, uint64_t& dropped, bool& over);
  void reject_capture(Record& rec, size_t at, std::string why);
  bool resync_chunked(uint64_t& consumed);
  void decode_coding(Record& rec, Coding coding);

  int fd_;
  const std::atomic<bool>* stop_;
  Overflow* overflow_;
  InPlace* in_place_ = nullptr;
  uint64_t in_place_waste_ = 0;  // Bytes InPlace read for bodies it did not end.
  bool spilling_ = false;        // The record being framed has passed max_body.
  bool stopped_ = false;
  std::function<void()> idle_;  // Only set for streams that can wait (see on_idle).
  std::string source_;
  size_t max_body_;
  // Grown without zeroing: the bytes past end_ are never read, and zeroing the first chunk
  // touched all of its 256 pages in every run, a third of a one-body run's page faults.
  template <class T>
  struct NoZeroing : std::allocator<T> {
    template <class U>
    struct rebind {
      using other = NoZeroing<U>;
    };
    template <class U>
    void construct(U* p) noexcept {
      ::new (static_cast<void*>(p)) U;
    }
    using std::allocator<T>::allocator;
  };
  std::vector<char, NoZeroing<char>> buf_;
  // The in-place parse's scratch: stream bytes [mirror_begin_, mirror_end_) are copied at the
  // same index as in buf_ (records keep pointing into buf_, which no parse rewrites). Each
  // byte read is copied about once: what a parse rewrote is dropped from the copy, the rest
  // kept until buf_ moves.
  std::vector<char, NoZeroing<char>> work_;
  uint64_t mirror_begin_ = 0, mirror_end_ = 0;
  uint64_t mirrored_ = 0;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t base_ = 0;  // Stream offset of buf_[0].
  bool eof_ = false;
  bool in_array_ = false;        // Inside a top-level JSON array of bodies.
  bool expect_element_ = false;  // In that array, after '[' or ','.
  bool keep_empty_ = false;      // The record just framed consumed nothing, on purpose.
  uint64_t index_ = 0;
  std::string read_error_;
  std::string decoded_;   // A chunked HTTP body, de-chunked.
  std::string inflated_;  // A gzip or deflate HTTP body, decoded.

  // JSON extent scanner state, kept across buffer refills.
  struct JsonScan {
    bool in_string = false;
    bool escape = false;
    bool line_start = false;      // Only blanks since the last newline.
    bool column0 = false;         // ... and not even those.
    bool first_line = true;       // No newline seen yet.
    size_t first_line_bytes = 0;  // Significant bytes on the first line.
    char last = 0;                // Last significant byte outside strings.
    size_t depth = 0;
    std::vector<char> stack;  // '{' or '[' for the innermost kMaxDepth containers.
    void reset();
  } scan_;
  static bool continues(const JsonScan& s, char c);
};

}  // namespace cmrelay
