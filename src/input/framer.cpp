#include "input/framer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace cmrelay {
namespace {

constexpr size_t kChunk = 1u << 20;
constexpr size_t kMaxHeaderBytes = 64u << 10;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\x1e'; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "POST /hook?x=1 HTTP/1.1": an upper-case method, a target, and the protocol.
bool is_request_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t sp = line.find(' ');
  if (sp < 3 || sp > 10 || sp == std::string_view::npos) return false;
  for (size_t i = 0; i < sp; ++i) {
    if (line[i] < 'A' || line[i] > 'Z') return false;
  }
  size_t sp2 = line.rfind(' ');
  if (sp2 == sp) return false;
  std::string_view proto = line.substr(sp2 + 1);
  return proto.size() == 8 && proto.substr(0, 7) == "HTTP/1." && proto[7] >= '0' && proto[7] <= '9';
}

// The first offset at or after i (up to n) holding a byte that matters inside a JSON
// string: '"', '\\' or '\n'.
size_t string_stop(const char* p, size_t i, size_t n) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i newline = _mm_set1_epi8('\n');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                     _mm_cmpeq_epi8(v, newline));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '"' || p[i] == '\\' || p[i] == '\n') return i;
  }
  return n;
}

}  // namespace

// Whether c may begin a line inside the JSON text scanned so far: what may follow the last
// significant byte in the innermost container. Valid JSON always passes.
bool Framer::continues(const JsonScan& s, char c) {
  const bool value_start = c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') ||
                           c == 't' || c == 'f' || c == 'n';
  const char ctx = s.stack.back();
  switch (s.last) {
    case ':':
      return value_start;
    case '{':
      return c == '"' || c == '}';
    case '[':
      return value_start || c == ']';
    case ',':
      return ctx == '{' ? c == '"' : value_start;
    default:  // After a value or a key.
      return c == ',' || c == ':' || c == '}' || c == ']';
  }
}

void Framer::JsonScan::reset() {
  in_string = escape = line_start = false;
  last = 0;
  depth = 0;
  stack.clear();
}

Framer::Framer(int fd, std::string source, size_t max_body)
    : fd_(fd), source_(std::move(source)), max_body_(max_body) {
  buf_.resize(std::min(kChunk, max_body_ + kChunk));
}

bool Framer::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buf_.size()) {
    // Callers never need more than max_body plus one chunk in the buffer at once.
    buf_.resize(std::min(buf_.size() * 2, max_body_ + 2 * kChunk));
    if (end_ == buf_.size()) return false;
  }
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read_error_ = std::strerror(errno);
    eof_ = true;
    return false;
  }
}

void Framer::discard_to(size_t pos) { pos_ = pos; }

bool Framer::ensure(size_t n) {
  while (avail() < n) {
    if (!fill()) return false;
  }
  return true;
}

bool Framer::skip_blank() {
  for (;;) {
    if (at_start_ && avail() < 3 && !eof_) {
      if (!fill() && avail() == 0) return false;
      continue;
    }
    if (at_start_) {
      at_start_ = false;
      if (avail() >= 3 && std::memcmp(buf_.data() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
    }
    while (pos_ < end_ && is_blank(buf_[pos_])) ++pos_;
    if (pos_ < end_) return true;
    if (!fill()) return false;
  }
}

void Framer::begin(Record& rec) {
  rec.kind = BodyKind::Json;
  rec.body = {};
  rec.source = source_;
  rec.index = ++index_;
  rec.offset = abs(pos_);
  rec.length = 0;
  rec.error.clear();
  rec.content_type.clear();
  rec.trace_id.clear();
}

void Framer::finish(Record& rec, size_t body_begin, size_t body_end, size_t consumed_end) {
  rec.body = std::string_view(buf_.data() + pos_ + body_begin, body_end - body_begin);
  rec.length = consumed_end;
  pos_ += consumed_end;
}

bool Framer::next(Record& rec) {
  if (!next_record(rec)) return false;
  if (rec.length == 0 && pos_ < end_) {
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
    char c = buf_[pos_];
    if (in_array_) {
      if (c == ',') { ++pos_; continue; }
      if (c == ']') { ++pos_; in_array_ = false; continue; }
      begin(rec);
      frame_json(rec);
      if (rec.error.empty() && !rec.body.empty() && rec.body.front() != '{') {
        rec.error = "array element is not an object";
      }
      return true;
    }
    if (c == '[') {
      in_array_ = true;
      ++pos_;
      continue;
    }
    begin(rec);
    if (c == '{') {
      frame_json(rec);
    } else if (c == '"') {
      frame_line(rec);
      rec.kind = BodyKind::Json;
    } else if (looks_like_request_line()) {
      frame_http(rec);
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
    if (s.in_string) {
      if (s.escape) s.escape = false;
      else if (c == '\\') s.escape = true;
      else if (c == '"') s.in_string = false;
      else if (c == '\n') {
        why = "truncated JSON: a string is still open at the end of the line";
        return Scan::Broken;
      }
      continue;
    }
    if (s.line_start && c != ' ' && c != '\t' && c != '\r' && c != '\n' && s.depth > 0 &&
        s.depth <= kMaxDepth && !continues(s, c)) {
      // A line that cannot continue this JSON text starts the next body: the current one
      // was cut short (a truncated NDJSON line must not swallow the lines after it).
      why = "truncated JSON: the body breaks off at the end of a line";
      return Scan::Broken;
    }
    switch (c) {
      case ' ': case '\t': case '\r':
        break;
      case '\n':
        if (s.depth == 0) return Scan::Done;  // A scalar array element ends with its line.
        s.line_start = true;
        break;
      case '"':
        s.in_string = true;
        s.last = c;
        s.line_start = false;
        break;
      case '{':
      case '[':
        ++s.depth;
        if (s.depth <= kMaxDepth) s.stack.push_back(c);
        s.last = c;
        s.line_start = false;
        break;
      case '}':
      case ']':
        if (s.depth == 0) {
          if (i == 0) ++i;  // A stray closer is itself the (bad) element.
          return Scan::Done;  // Else it closes the array a scalar element sits in.
        }
        if (s.depth <= kMaxDepth && !s.stack.empty()) s.stack.pop_back();
        if (s.depth > 0) --s.depth;
        s.last = c;
        s.line_start = false;
        if (s.depth == 0) {
          ++i;
          return Scan::Done;
        }
        break;
      default:
        // A scalar at the top of an array of bodies ends at ',' or ']'.
        if (s.depth == 0 && c == ',') return Scan::Done;
        s.last = c;
        s.line_start = false;
    }
  }
  return Scan::NeedMore;
}

void Framer::skip_oversize(Record& rec, size_t scanned) {
  rec.error = "body larger than the " + std::to_string(max_body_) + "-byte limit (--max-body); skipped";
  rec.body = {};
  rec.length = scanned;
  pos_ += scanned;
}

void Framer::frame_json(Record& rec) {
  scan_.reset();
  std::string why;
  size_t i = 0;
  uint64_t skipped = 0;
  bool oversize = false;
  for (;;) {
    Scan s = scan_json(i, why);
    if (s == Scan::Done || s == Scan::Broken) {
      if (oversize || i > max_body_) {
        skip_oversize(rec, i);
        rec.length += skipped;
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
    if (i >= max_body_) {
      // Keep scanning for the end of this body, but hold none of it.
      oversize = true;
      skipped += i;
      pos_ += i;
      i = 0;
    }
    if (!fill()) {
      if (oversize) {
        skip_oversize(rec, i);
        rec.length += skipped;
        return;
      }
      finish(rec, 0, i, i);
      rec.error = "truncated JSON: input ends with " + std::to_string(scan_.depth) +
                  " unclosed bracket(s)" + (scan_.in_string ? " inside a string" : "");
      return;
    }
  }
}

void Framer::frame_line(Record& rec) {
  rec.kind = BodyKind::Form;
  size_t i = 0;
  uint64_t skipped = 0;
  for (;;) {
    const char* p = buf_.data() + pos_;
    const void* nl = std::memchr(p + i, '\n', avail() - i);
    if (nl != nullptr) {
      size_t eol = static_cast<const char*>(nl) - p;
      if (skipped > 0 || eol > max_body_) {
        skip_oversize(rec, eol + 1);
        rec.length += skipped;
        return;
      }
      size_t body_end = eol;
      if (body_end > 0 && p[body_end - 1] == '\r') --body_end;
      finish(rec, 0, body_end, eol + 1);
      return;
    }
    i = avail();
    if (i > max_body_) {
      skipped += i;
      pos_ += i;
      i = 0;
    }
    if (!fill()) {
      if (skipped > 0) {
        skip_oversize(rec, i);
        rec.length += skipped;
        return;
      }
      finish(rec, 0, i, i);
      return;
    }
  }
}

bool Framer::looks_like_request_line() {
  for (;;) {
    size_t n = std::min<size_t>(avail(), 8192);
    const char* p = buf_.data() + pos_;
    const void* nl = std::memchr(p, '\n', n);
    if (nl != nullptr) return is_request_line(std::string_view(p, static_cast<const char*>(nl) - p));
    if (n >= 8192 || !fill()) return false;
  }
}

// Finds the end of the line starting at relative offset `from`. eol is the offset of '\n'
// (or the end of input), next the offset just past it. False when the line is longer than
// kMaxHeaderBytes.
bool Framer::read_line(size_t from, size_t& eol, size_t& next) {
  for (;;) {
    const char* p = buf_.data() + pos_;
    const void* nl = std::memchr(p + from, '\n', avail() - from);
    if (nl != nullptr) {
      eol = static_cast<const char*>(nl) - p;
      next = eol + 1;
      return eol - from <= kMaxHeaderBytes;
    }
    if (avail() - from > kMaxHeaderBytes) return false;
    if (!fill()) {
      eol = next = avail();
      return true;
    }
  }
}

void Framer::frame_http(Record& rec) {
  size_t eol = 0, next = 0;
  read_line(0, eol, next);
  std::string_view request(buf_.data() + pos_, eol);
  // Copied: refilling the buffer below may move the bytes the request line sits in.
  const std::string method(request.substr(0, request.find(' ')));
  // The query string of the target: Alibaba's GET mode carries the whole body there.
  size_t target_begin = method.size() + 1;
  size_t target_end = request.rfind(' ');
  size_t query_begin = request.find('?', target_begin);
  if (query_begin > target_end) query_begin = target_end;
  else ++query_begin;

  uint64_t content_length = 0;
  bool has_length = false, chunked = false;
  size_t line = next;
  for (;;) {
    if (line > kMaxHeaderBytes || !read_line(line, eol, next)) {
      finish(rec, 0, 0, std::min(next, avail()));
      rec.error = "captured HTTP request: header block longer than 64 KiB";
      return;
    }
    std::string_view h(buf_.data() + pos_ + line, eol - line);
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    if (h.empty()) {
      if (eol == next) {  // End of input inside the headers.
        finish(rec, 0, 0, next);
        rec.error = "captured HTTP request: input ends inside the headers";
        return;
      }
      line = next;
      break;
    }
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) {
      finish(rec, 0, 0, next);
      rec.error = "captured HTTP request: malformed header line (no ':')";
      return;
    }
    std::string_view name = trim(h.substr(0, colon));
    std::string_view value = trim(h.substr(colon + 1));
    if (iequals(name, "content-type")) {
      rec.content_type.assign(value);
    } else if (iequals(name, "x-volc-trace-id")) {
      rec.trace_id.assign(value);
    } else if (iequals(name, "content-length")) {
      has_length = !value.empty() && value.size() < 19 &&
                   std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!has_length) {
        finish(rec, 0, 0, next);
        rec.error = "captured HTTP request: Content-Length is not a number";
        return;
      }
      content_length = std::stoull(std::string(value));
    } else if (iequals(name, "transfer-encoding")) {
      chunked = value.find("chunked") != std::string_view::npos;
    }
    line = next;
  }

  const std::string_view ct = rec.content_type;
  auto kind_of = [&](std::string_view body) {
    if (ct.find("json") != std::string_view::npos) return BodyKind::Json;
    if (ct.find("x-www-form-urlencoded") != std::string_view::npos) return BodyKind::Form;
    size_t k = 0;
    while (k < body.size() && is_blank(body[k])) ++k;
    return k < body.size() && (body[k] == '{' || body[k] == '[') ? BodyKind::Json : BodyKind::Form;
  };

  const size_t header_end = line;
  if (chunked) {
    decoded_.clear();
    size_t at = header_end;
    for (;;) {
      if (!read_line(at, eol, next) || eol == next) {
        finish(rec, 0, 0, avail());
        rec.error = "captured HTTP request: truncated chunked body";
        return;
      }
      std::string size_text(buf_.data() + pos_ + at, eol - at);
      size_t chunk = 0;
      try {
        size_t used = 0;
        chunk = std::stoul(size_text, &used, 16);
        if (used == 0) throw std::invalid_argument("size");
      } catch (const std::exception&) {
        finish(rec, 0, 0, next);
        rec.error = "captured HTTP request: bad chunk size line";
        return;
      }
      at = next;
      if (chunk == 0) {
        // Trailers, then a blank line; tolerate captures that end right after "0".
        while (read_line(at, eol, next) && next > at) {
          std::string_view t(buf_.data() + pos_ + at, eol - at);
          at = next;
          if (t.empty() || t == "\r") break;
        }
        break;
      }
      if (decoded_.size() + chunk > max_body_) {
        finish(rec, 0, 0, avail());
        rec.error = "captured HTTP request: chunked body larger than the limit (--max-body)";
        return;
      }
      if (!ensure(at + chunk)) {
        finish(rec, 0, 0, avail());
        rec.error = "captured HTTP request: truncated chunked body";
        return;
      }
      decoded_.append(buf_.data() + pos_ + at, chunk);
      at += chunk;
      if (ensure(at + 1) && buf_[pos_ + at] == '\r') ++at;
      if (ensure(at + 1) && buf_[pos_ + at] == '\n') ++at;
    }
    rec.length = at;
    pos_ += at;
    rec.body = decoded_;
    rec.kind = kind_of(rec.body);
    return;
  }

  size_t body_end;
  size_t consumed;
  if (has_length) {
    if (content_length > max_body_) {
      // Skip the body without holding it.
      uint64_t left = content_length;
      pos_ += header_end;
      while (left > 0) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(left, avail()));
        pos_ += take;
        left -= take;
        if (left > 0 && !fill()) break;
      }
      rec.error = "body larger than the " + std::to_string(max_body_) + "-byte limit (--max-body); skipped";
      rec.length = header_end + content_length - left;
      return;
    }
    if (!ensure(header_end + content_length)) {
      size_t got = avail() - header_end;
      finish(rec, header_end, avail(), avail());
      rec.error = "captured HTTP request: truncated body: Content-Length is " +
                  std::to_string(content_length) + " but only " + std::to_string(got) +
                  " bytes follow";
      return;
    }
    body_end = consumed = header_end + content_length;
  } else if (method == "GET" || method == "HEAD") {
    body_end = consumed = header_end;
  } else {
    // No length: the body runs to the next captured request or the end of input.
    size_t at = header_end;
    for (;;) {
      if (!read_line(at, eol, next)) {
        finish(rec, 0, 0, avail());
        rec.error = "captured HTTP request: body without Content-Length has a line over 64 KiB";
        return;
      }
      if (eol == next || at >= max_body_) break;
      if (at > header_end && is_request_line(std::string_view(buf_.data() + pos_ + at, eol - at))) break;
      at = next;
    }
    body_end = consumed = std::min(at, avail());
  }

  if (body_end == header_end && query_begin < target_end) {
    // GET-style body: the query string is the form.
    finish(rec, query_begin, target_end, consumed);
    rec.kind = BodyKind::Form;
    return;
  }
  finish(rec, header_end, body_end, consumed);
  rec.kind = kind_of(rec.body);
  if (rec.body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    rec.error = "captured HTTP request has an empty body";
  }
}

}  // namespace cmrelay
