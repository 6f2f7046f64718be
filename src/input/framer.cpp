#include "input/framer.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace cmrelay {
namespace {

// What one read asks for. Small enough that the bytes read, their copy for the in-place parse
// (work_) and the values parsed from them are still in the core's cache when they are used:
// 1 MiB here cost 5% of a conversion's CPU (docs/BENCHMARKS.md).
constexpr size_t kChunk = 1u << 17;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\x1e'; }

bool value_start(char c) {
  return c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

// The first offset at or after i (up to n) holding a byte that matters inside a JSON
// string: '"', '\\', '\n' or a NUL.
size_t string_stop(const char* p, size_t i, size_t n) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i nul = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, newline), _mm_cmpeq_epi8(v, nul)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '"' || p[i] == '\\' || p[i] == '\n' || p[i] == '\0') return i;
  }
  return n;
}

// "Authorization: Bearer x": an HTTP token, a colon and a blank. No form body starts so
// (a form key ends at '=', which is no token character).
bool header_shaped(std::string_view line) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  size_t i = 0;
  while (i < line.size() &&
         ((line[i] >= '0' && line[i] <= '9') || ((line[i] | 0x20) >= 'a' && (line[i] | 0x20) <= 'z') ||
          kSymbols.find(line[i]) != std::string_view::npos)) {
    ++i;
  }
  return i > 0 && i + 1 < line.size() && line[i] == ':' && (line[i + 1] == ' ' || line[i + 1] == '\t');
}

}  // namespace

void Framer::JsonScan::reset() {
  in_string = escape = line_start = column0 = false;
  first_line = true;
  first_line_bytes = 0;
  last = 0;
  depth = 0;
  stack.clear();
}

// Whether c may begin a line inside the JSON text scanned so far: what may follow the last
// significant byte in the innermost container. Valid JSON always passes, and so does a
// trailing comma before the container's closer (documentation samples have them): that body
// is not cut short, it is invalid, and the parser says where (one rejection, not two).
bool Framer::continues(const JsonScan& s, char c) {
  const char ctx = s.stack.back();
  switch (s.last) {
    case ':':
      return value_start(c);
    case '{':
      return c == '"' || c == '}';
    case '[':
      return value_start(c) || c == ']';
    case ',':
      return ctx == '{' ? c == '"' || c == '}' : value_start(c) || c == ']';
    default:  // After a value or a key.
      return c == ',' || c == ':' || c == '}' || c == ']';
  }
}

Framer::Framer(int fd, std::string source, size_t max_body, const std::atomic<bool>* stop, Overflow* overflow)
    : fd_(fd), stop_(stop), overflow_(overflow), source_(std::move(source)), max_body_(max_body) {
  buf_.resize(kChunk);
}

void Framer::on_idle(std::function<void()> idle) {
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) return;  // A file never waits: no cost on files.
  idle_ = std::move(idle);
}

bool Framer::fill() {
  if (eof_) return false;
  if (stop_ != nullptr && stop_->load()) {
    // Checked before every read, not only on EINTR: a regular file's reads are never
    // interrupted, and a record longer than max_body (or /dev/zero) may never end.
    stopped_ = eof_ = true;
    return false;
  }
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    mirror_begin_ = mirror_end_ = 0;  // The scratch copy is at the old indices.
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buf_.size()) {
    // Callers never hold more than max_body plus a header block and a line at once.
    const size_t cap = max_body_ + 2 * kChunk;
    if (buf_.size() >= cap) {
      read_error_ = "internal: framing buffer full";
      eof_ = true;
      return false;
    }
    buf_.resize(std::min(buf_.size() * 2, cap));
  }
  if (idle_) {
    struct pollfd p {
      fd_, POLLIN, 0
    };
    if (::poll(&p, 1, 0) == 0) idle_();  // Nothing to read yet: the read below will wait.
  }
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n < 0 && errno == EINTR) {
      if (stop_ == nullptr || !stop_->load()) continue;
      stopped_ = eof_ = true;  // Stopping: the rest of the stream is left unread, not an error.
      return false;
    }
    if (n < 0) read_error_ = std::strerror(errno);
    eof_ = true;
    return false;
  }
}

bool Framer::ensure(size_t n) {
  while (avail() < n) {
    if (!fill()) return false;
  }
  return true;
}

uint64_t Framer::skip(uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(n - done, avail()));
    spill(view(0, take));
    pos_ += take;
    done += take;
    if (done < n && !fill()) break;
  }
  return done;
}

Framer::Line Framer::find_eol(size_t from, size_t limit, size_t& eol) {
  size_t searched = from;
  for (;;) {
    const char* p = buf_.data() + pos_;
    const void* nl = std::memchr(p + searched, '\n', avail() - searched);
    if (nl != nullptr) {
      eol = static_cast<const char*>(nl) - p;
      return eol - from <= limit ? Line::Found : Line::TooLong;
    }
    searched = avail();
    if (searched - from > limit) {
      eol = searched;
      return Line::TooLong;
    }
    if (!fill()) {
      eol = avail();
      return Line::End;
    }
  }
}

bool Framer::skip_blank() {
  for (;;) {
    while (pos_ < end_ && is_blank(buf_[pos_])) ++pos_;
    if (pos_ < end_) {
      // A byte-order mark may open any file, and files get concatenated.
      if (buf_[pos_] != '\xEF') return true;
      if (!ensure(3)) return true;
      if (std::memcmp(buf_.data() + pos_, "\xEF\xBB\xBF", 3) != 0) return true;
      pos_ += 3;
      continue;
    }
    if (!fill()) return false;
  }
}

void Framer::begin(Record& rec) {
  rec.kind = BodyKind::Json;
  rec.body = {};
  rec.source = source_;
  rec.index = ++index_;
  rec.offset = base_ + pos_;
  rec.length = 0;
  rec.parsed = false;
  rec.error.clear();
  rec.content_type.clear();
  rec.headers.clear();
  spilling_ = false;
}

void Framer::finish(Record& rec, size_t body_begin, size_t body_end, size_t consumed) {
  rec.body = view(body_begin, body_end);
  rec.length = consumed;
  pos_ += consumed;  // The body stays valid: the buffer only moves on the next fill().
}

void Framer::oversize(Record& rec, uint64_t consumed) {
  rec.error = "body larger than the " + std::to_string(max_body_) +
              "-byte limit (--max-body): " + std::to_string(consumed) + " bytes";
  rec.body = {};
  rec.length = consumed;
}

void Framer::pass_limit(const Record& rec) {
  if (spilling_) return;
  spilling_ = true;
  if (overflow_ != nullptr) overflow_->passed_limit(rec);
}

void Framer::spill(std::string_view part) {
  if (spilling_ && overflow_ != nullptr && !part.empty()) overflow_->bytes(part);
}

bool Framer::next(Record& rec) {
  keep_empty_ = false;
  if (!next_record(rec)) return false;
  if (rec.length == 0 && !keep_empty_ && pos_ < end_) {
    // Every record consumes input, whatever its bytes: the stream always moves on.
    ++pos_;
    rec.length = 1;
    if (rec.error.empty()) rec.error = "unexpected byte";
  }
  return true;
}

bool Framer::next_record(Record& rec) {
  for (;;) {
    if (!skip_blank()) {
      if (in_array_) {
        in_array_ = false;
        begin(rec);
        rec.error = "truncated: the top-level JSON array is never closed with ']'";
        return true;
      }
      return false;
    }
    const char c = buf_[pos_];
    if (in_array_) {
      if (c == ',' && !expect_element_) {
        ++pos_;
        expect_element_ = true;
        continue;
      }
      if (c == ']') {
        ++pos_;
        in_array_ = false;
        continue;
      }
      if (!expect_element_ || !value_start(c)) {
        // What follows cannot continue the array: it was cut short. Say so, and frame the
        // rest as it stands.
        in_array_ = false;
        begin(rec);
        rec.error = "truncated: the top-level JSON array is never closed with ']'";
        keep_empty_ = true;
        return true;
      }
      expect_element_ = false;
      begin(rec);
      frame_json(rec);
      if (rec.error.empty() && !rec.body.empty() && rec.body.front() != '{') {
        rec.error = "array element is not an object";
      }
      return true;
    }
    if (c == '[') {
      in_array_ = true;
      expect_element_ = true;
      ++pos_;
      continue;
    }
    begin(rec);
    if (c == '\0') {
      frame_nul(rec);
    } else if (const size_t header = pasted_header(rec); header > 0) {
      if (avail() > 0 && buf_[pos_] == '{')
        frame_json(rec);
      else
        frame_line(rec);
      rec.length += header;
    } else if (c == '{') {
      // A budget for the bytes read in vain: a parse that fails may have read far past where
      // framing ends the body (a cut line whose next lines still read as JSON to it).
      const bool try_in_place = in_place_ != nullptr && in_place_waste_ <= base_ + pos_ + kChunk;
      if (!try_in_place || !frame_parsed(rec)) frame_json(rec);
    } else if (c == '"') {
      frame_line(rec);
      rec.kind = BodyKind::Json;
    } else if (looks_like_request_line()) {
      frame_http(rec);  // A protocol other than HTTP/1.x is rejected whole, its headers unquoted.
    } else {
      frame_line(rec);
    }
    return true;
  }
}

Framer::Scan Framer::scan_json(size_t& i, std::string& why) {
  JsonScan& s = scan_;
  const char* p = buf_.data() + pos_;
  const size_t n = avail();
  for (; i < n; ++i) {
    if (s.in_string && !s.escape) {
      i = string_stop(p, i, n);  // Ordinary string bytes decide nothing: skip them in bulk.
      if (i == n) break;
    }
    const char c = p[i];
    if (c == '\0') {
      // Never in JSON text, raw: the body broke off (a crash leaves zero-filled blocks). The
      // NUL run is framed on its own, and a body after it is not swallowed by this one.
      why = "truncated JSON: the body breaks off at a NUL byte";
      return Scan::Broken;
    }
    if (s.in_string) {
      if (c == '\n') {
        // Raw newlines never occur in JSON strings: the line was cut inside one.
        why = "truncated JSON: a string is still open at the end of the line";
        return Scan::Broken;
      }
      if (s.escape) {
        s.escape = false;
      } else if (c == '"') {
        s.in_string = false;
      } else if (c == '\\') {
        s.escape = true;
      } else {
        // Skip to the next byte that matters inside a string.
        const char* q = p + i + 1;
        const char* stop = p + n;
        while (q < stop && *q != '"' && *q != '\\' && *q != '\n' && *q != '\0') ++q;
        i = static_cast<size_t>(q - p) - 1;
      }
      continue;
    }
    if (c == '\n') {
      if (s.depth == 0) return Scan::Done;  // A scalar array element ends with its line.
      s.line_start = s.column0 = true;
      s.first_line = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      s.column0 = false;
      continue;
    }
    if (s.first_line) ++s.first_line_bytes;
    if (s.line_start && s.depth > 0 && s.depth <= kMaxDepth) {
      // A line that cannot continue this JSON text starts the next body: the current one was
      // cut short, and must not swallow the lines after it. So does a '{' or '[' in the first
      // column after a first line with content: NDJSON, whose next line is the next body
      // (pretty-printers indent nested values).
      const bool ndjson_next = s.column0 && (c == '{' || c == '[') && s.first_line_bytes > 1;
      if (ndjson_next || !continues(s, c)) {
        why = "truncated JSON: the body breaks off at the end of a line";
        return Scan::Broken;
      }
    }
    s.line_start = s.column0 = false;
    switch (c) {
      case '"':
        s.in_string = true;
        s.last = c;
        break;
      case '{':
      case '[':
        ++s.depth;
        if (s.depth <= kMaxDepth) s.stack.push_back(c);
        s.last = c;
        break;
      case '}':
      case ']':
        if (s.depth == 0) {
          if (i == 0) ++i;    // A stray closer is itself the (bad) element.
          return Scan::Done;  // Else it closes the array a scalar element sits in.
        }
        if (s.depth <= kMaxDepth) s.stack.pop_back();
        --s.depth;
        s.last = c;
        if (s.depth == 0) {
          ++i;
          return Scan::Done;
        }
        break;
      default:
        if (s.depth == 0 && c == ',') return Scan::Done;  // A scalar array element ends.
        s.last = c;
    }
  }
  return Scan::NeedMore;
}

void Framer::frame_json(Record& rec) {
  scan_.reset();
  std::string why;
  size_t i = 0;
  uint64_t dropped = 0;
  bool over = false;
  for (;;) {
    Scan s = scan_json(i, why);
    if (s != Scan::NeedMore) {
      if (over || i > max_body_) {
        pass_limit(rec);
        spill(view(0, i));
        pos_ += i;
        oversize(rec, dropped + i);
        return;
      }
      size_t body_end = i;
      while (body_end > 0 && (buf_[pos_ + body_end - 1] == ',' || is_blank(buf_[pos_ + body_end - 1]))) {
        --body_end;  // A scalar array element ends just before its ','.
      }
      finish(rec, 0, body_end, i);
      if (s == Scan::Broken) rec.error = why;
      return;
    }
    if (over || i >= max_body_) {
      // Keep scanning for the end of this body, but hold none of it.
      pass_limit(rec);
      spill(view(0, i));
      over = true;
      dropped += i;
      pos_ += i;
      i = 0;
    }
    if (!fill()) {
      if (over) {
        spill(view(0, i));
        pos_ += i;
        oversize(rec, dropped + i);
        return;
      }
      finish(rec, 0, i, i);
      rec.error = "truncated JSON: input ends with " + std::to_string(scan_.depth) + " unclosed bracket(s)" +
                  (scan_.in_string ? " inside a string" : "");
      return;
    }
  }
}

// The scratch copy of buf_'s next n bytes, followed by a NUL, at the same index in work_:
// what is copied already is kept, so each byte is copied once unless a parse rewrote it.
char* Framer::mirror(size_t n) {
  if (work_.size() < buf_.size() + 1) {
    work_.resize(buf_.size() + 1);  // Indices stay: so does what was copied.
  }
  const uint64_t at = base_ + pos_;
  if (at > mirror_end_) mirror_begin_ = mirror_end_ = at;
  if (at < mirror_begin_) {
    copy_to_mirror(at, mirror_begin_);  // What an earlier parse rewrote, read in vain.
    mirror_begin_ = at;
  }
  if (mirror_end_ < at + n) copy_to_mirror(mirror_end_, at + n);
  work_[pos_ + n] = '\0';
  mirror_end_ = at + n;  // The byte after is the NUL now.
  return work_.data() + pos_;
}

void Framer::copy_to_mirror(uint64_t from, uint64_t to) {
  const auto i = static_cast<size_t>(from - base_);
  std::memcpy(work_.data() + i, buf_.data() + i, static_cast<size_t>(to - from));
  mirrored_ += to - from;
}

// A body that is one valid JSON value, whole in the buffer and no longer than max_body, ends
// where its parse stops: frame_json would end it there too (valid JSON always continues its
// lines), unless a line inside opens with '{' or '[' (a raw newline is only ever whitespace
// in valid JSON): frame_json may cut such a body (NDJSON after a cut line) and decides it.
// Anything else, cut off at the buffer's end included, is framed by frame_json, whose records
// (and reasons) stay the only ones.
bool Framer::frame_parsed(Record& rec) {
  const std::string_view bytes = view(0, std::min(avail(), max_body_));
  size_t read = 0;
  const uint64_t at = base_ + pos_;
  const size_t n = in_place_->parse_first(bytes, mirror(bytes.size()), read);
  // The parse rewrote only bytes before where it stopped reading: the rest of the copy stays.
  mirror_begin_ = std::min(at + (n > 0 ? n : read + 1), mirror_end_);
  if (n == 0 || n > bytes.size()) {
    in_place_waste_ += read;
    return false;
  }
  const std::string_view body = bytes.substr(0, n);
  for (size_t nl = body.find('\n'); nl != std::string_view::npos; nl = body.find('\n', nl + 1)) {
    if (nl + 1 < n && (body[nl + 1] == '{' || body[nl + 1] == '[')) {
      in_place_waste_ += n;
      return false;
    }
  }
  finish(rec, 0, n, n);
  rec.parsed = true;
  return true;
}

void Framer::frame_line(Record& rec) {
  rec.kind = BodyKind::Form;
  uint64_t dropped = 0;
  for (;;) {
    size_t eol = 0;
    const Line l = find_eol(0, max_body_, eol);
    bool newline = l != Line::End && eol < avail();
    if (l == Line::TooLong && !newline) {
      // Longer than the limit and not over yet: hold none of it, keep looking for its end.
      pass_limit(rec);
      spill(view(0, avail()));
      dropped += avail();
      pos_ = end_;
      if (fill()) continue;
      oversize(rec, dropped);
      return;
    }
    if (newline && dropped == 0 && l == Line::Found) {
      eol = join_form_lines(eol);
      newline = eol < avail();
    }
    const size_t next = newline ? eol + 1 : eol;
    if (dropped > 0 || l == Line::TooLong || eol > max_body_) {
      pass_limit(rec);
      spill(view(0, eol));
      pos_ += next;
      // A joined form over the limit takes the rest of its '&' lines with it.
      const uint64_t rest = eol > max_body_ ? skip_form_lines(!newline) : 0;
      oversize(rec, dropped + next + rest);
      return;
    }
    size_t body_end = eol;
    if (body_end > 0 && buf_[pos_ + body_end - 1] == '\r') --body_end;
    finish(rec, 0, squeeze_form_lines(body_end), next);
    if (header_shaped(rec.body)) {
      // A capture whose request line was not read as one (cut off, or no protocol): its
      // header lines must not reach a reason that quotes keys (an Authorization value).
      rec.error =
          "a line shaped like an HTTP header ('Name: value') outside a captured HTTP/1.x request; "
          "its value is not shown";
    }
    return;
  }
}

// A run of NUL bytes: counted, never held, however long (/dev/zero never ends; a signal
// stops it through fill()).
void Framer::frame_nul(Record& rec) {
  uint64_t n = 0;
  for (;;) {
    const char* p = buf_.data() + pos_;
    size_t k = 0;
    while (k < avail() && p[k] == '\0') ++k;
    pos_ += k;
    n += k;
    if (n > max_body_) pass_limit(rec);
    if (pos_ < end_ || !fill()) break;
  }
  rec.length = n;
  rec.error = std::to_string(n) + " NUL bytes: not a body (padding, or a damaged file)";
}

}  // namespace cmrelay
