// Captured HTTP/1.1 requests: request line, headers, blank line, and a body sized by
// Content-Length, by chunked transfer encoding, or by nothing (up to the next request).
#include <algorithm>
#include <cstring>

#include "input/framer.h"

namespace cmrelay {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

bool icontains(std::string_view hay, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "POST " / "GET " ...: an upper-case method and a space, the cheap first test.
bool request_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && i < 11 && s[i] >= 'A' && s[i] <= 'Z') ++i;
  return i >= 3 && i <= 10 && i + 1 < s.size() && s[i] == ' ' && s[i + 1] != ' ';
}

// The protocol of "POST /hook?x=1 HTTP/1.1" (method, target, protocol): "HTTP/1.1"; empty
// when the line is no request line. Any "HTTP/" version counts (HTTP/2 as a text dump), so
// that such a capture is framed, and rejected, whole: never its header lines one by one
// as bodies whose keys (an Authorization value) a reason would quote.
std::string_view request_protocol(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!request_prefix(line)) return {};
  size_t sp = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp2 == sp) return {};
  std::string_view proto = line.substr(sp2 + 1);
  return proto.starts_with("HTTP/") && proto.size() <= 16 ? proto : std::string_view();
}

bool http1(std::string_view proto) {
  return proto.size() == 8 && proto.substr(0, 7) == "HTTP/1." && proto[7] >= '0' && proto[7] <= '9';
}

// "1a2b" or "1a2b;ext=1": at most 15 hex digits, so sizes never overflow.
bool parse_chunk_size(std::string_view line, uint64_t& size) {
  line = trim(line);
  size_t semi = line.find(';');
  if (semi != std::string_view::npos) line = trim(line.substr(0, semi));
  if (line.empty() || line.size() > 15) return false;
  size = 0;
  for (char c : line) {
    int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
    if (d < 0) return false;
    size = size * 16 + static_cast<uint64_t>(d);
  }
  return true;
}

// "Content-Length: 75" or a list of identical values ("75, 75").
bool parse_content_length(std::string_view value, uint64_t& length) {
  bool any = false;
  while (true) {
    size_t comma = value.find(',');
    std::string_view one = trim(value.substr(0, comma));
    if (one.empty() || one.size() > 18 || !std::all_of(one.begin(), one.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    uint64_t v = 0;
    for (char c : one) v = v * 10 + static_cast<uint64_t>(c - '0');
    if (any && v != length) return false;
    length = v;
    any = true;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// A trailer line after the last chunk: "Name: value".
bool is_header_line(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  return std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                     [](char c) { return c > ' ' && c < 127 && c != '"' && c != '{'; });
}

}  // namespace

bool Framer::looks_like_request_line() {
  if (!ensure(12) && avail() == 0) return false;
  if (!request_prefix(view(0, std::min<size_t>(avail(), 12)))) return false;
  // A GET may carry the whole body in its query string: allow a request line up to max_body.
  size_t eol = 0;
  if (find_eol(0, max_body_, eol) != Line::Found) return false;
  std::string_view proto = request_protocol(view(0, eol));
  http1_ = http1(proto);
  return !proto.empty();
}

void Framer::frame_http(Record& rec) {
  size_t eol = 0;
  find_eol(0, max_body_, eol);  // Found: looks_like_request_line() said so.
  std::string_view request = view(0, eol);
  if (!request.empty() && request.back() == '\r') request.remove_suffix(1);
  // Copied or kept as offsets: refilling the buffer below may move the bytes.
  const std::string method(request.substr(0, request.find(' ')));
  const size_t target_end = request.rfind(' ');
  size_t query_begin = request.find('?');
  query_begin = query_begin < target_end ? query_begin + 1 : target_end;

  std::string problem;
  uint64_t length = 0;
  bool has_length = false, chunked = false;
  size_t at = eol + 1;
  for (;;) {
    Line l = find_eol(at, kMaxHeaderBytes, eol);
    if (l == Line::TooLong || at > kMaxHeaderBytes) {
      finish(rec, 0, 0, at);
      rec.error = "captured HTTP request: header block longer than 64 KiB";
      return;
    }
    if (l == Line::End) {
      finish(rec, 0, 0, avail());
      rec.error = "captured HTTP request: input ends inside the headers";
      return;
    }
    std::string_view h = view(at, eol);
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    at = eol + 1;
    if (h.empty()) break;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) {
      // Keep going: the request still ends where its headers say, and is rejected whole.
      if (problem.empty()) problem = "malformed header line (no ':')";
      continue;
    }
    std::string_view name = trim(h.substr(0, colon));
    std::string_view value = trim(h.substr(colon + 1));
    if (iequals(name, "content-type")) {
      rec.content_type.assign(value);
    } else if (iequals(name, "x-volc-trace-id")) {
      rec.trace_id.assign(value);
    } else if (iequals(name, "content-length")) {
      has_length = parse_content_length(value, length);
      if (!has_length && problem.empty()) problem = "Content-Length is not a number";
    } else if (iequals(name, "transfer-encoding")) {
      chunked = icontains(value, "chunked");
    }
  }
  const size_t header_end = at;

  if (chunked) {
    frame_chunked(rec, header_end);
  } else if (has_length) {
    if (length > max_body_) {
      pos_ += header_end;
      uint64_t got = skip(length);
      oversize(rec, header_end + got);
      if (got < length) rec.error = "captured HTTP request: truncated body, and larger than the limit (--max-body)";
    } else if (!ensure(header_end + length)) {
      const size_t got = avail() - header_end;
      finish(rec, header_end, avail(), avail());
      rec.error = "captured HTTP request: truncated body: Content-Length is " + std::to_string(length) +
                  " but only " + std::to_string(got) + " bytes follow";
    } else {
      finish(rec, header_end, header_end + length, header_end + length);
    }
  } else if (method == "GET" || method == "HEAD") {
    finish(rec, query_begin, target_end, header_end);  // The query string is the form.
    rec.kind = BodyKind::Form;
    if (rec.body.empty()) rec.error = "captured HTTP request has neither a body nor a query string";
    return;
  } else {
    frame_unsized(rec, header_end);
  }
  if (rec.error.empty() && !problem.empty()) rec.error = "captured HTTP request: " + problem;
  if (!rec.error.empty()) return;
  if (icontains(rec.content_type, "json")) {
    rec.kind = BodyKind::Json;
  } else if (icontains(rec.content_type, "x-www-form-urlencoded")) {
    rec.kind = BodyKind::Form;
  } else {
    size_t k = rec.body.find_first_not_of(" \t\r\n");
    rec.kind = k != std::string_view::npos && (rec.body[k] == '{' || rec.body[k] == '[') ? BodyKind::Json
                                                                                       : BodyKind::Form;
  }
  if (rec.body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    rec.error = "captured HTTP request has an empty body";
  }
}

// De-chunks as it reads, so the raw request is never held whole.
void Framer::frame_chunked(Record& rec, size_t header_end) {
  decoded_.clear();
  uint64_t consumed = header_end;
  pos_ += header_end;  // What the headers said is copied into rec already.
  bool over = false;
  auto fail = [&](std::string why, size_t more) {
    pos_ += more;
    rec.body = {};
    rec.length = consumed + more;
    rec.error = "captured HTTP request: " + std::move(why);
  };
  for (;;) {
    size_t eol = 0;
    Line l = find_eol(0, 1024, eol);
    if (l == Line::End) return fail("truncated chunked body", avail());
    if (l == Line::TooLong) return fail("bad chunk size line", std::min(eol, avail()));
    uint64_t size = 0;
    if (!parse_chunk_size(view(0, eol), size)) return fail("bad chunk size line", eol + 1);
    pos_ += eol + 1;
    consumed += eol + 1;
    if (size == 0) break;
    if (!over && size > max_body_ - decoded_.size()) {
      over = true;
      decoded_.clear();
    }
    if (over) {
      uint64_t got = skip(size);
      consumed += got;
      if (got < size) return fail("truncated chunked body", 0);
    } else {
      if (!ensure(size)) return fail("truncated chunked body", avail());
      decoded_.append(buf_.data() + pos_, size);
      pos_ += size;
      consumed += size;
    }
    if (ensure(1) && buf_[pos_] == '\r') { ++pos_; ++consumed; }
    if (ensure(1) && buf_[pos_] == '\n') { ++pos_; ++consumed; }
  }
  // Trailers, then a blank line. A line that is neither belongs to what follows.
  for (;;) {
    size_t eol = 0;
    if (find_eol(0, kMaxHeaderBytes, eol) != Line::Found) break;
    std::string_view t = view(0, eol);
    if (!t.empty() && t.back() == '\r') t.remove_suffix(1);
    if (!t.empty() && !is_header_line(t)) break;
    pos_ += eol + 1;
    consumed += eol + 1;
    if (t.empty()) break;
  }
  if (over) {
    oversize(rec, consumed);
    return;
  }
  rec.body = decoded_;
  rec.length = consumed;
}

// No length: the body runs to the next captured request or the end of input.
void Framer::frame_unsized(Record& rec, size_t header_end) {
  size_t at = header_end;  // Start of the line being looked at.
  uint64_t dropped = 0;
  bool over = false, first = true;
  for (;;) {
    const char* p = buf_.data() + pos_;
    const void* nl = std::memchr(p + at, '\n', avail() - at);
    if (nl != nullptr) {
      const size_t eol = static_cast<size_t>(static_cast<const char*>(nl) - p);
      if (!first && !request_protocol(view(at, eol)).empty()) break;
      first = false;
      at = eol + 1;
    } else {
      if (!over && avail() - header_end > max_body_) over = true;
      if (over) {
        // A line longer than the limit: drop it as it comes.
        dropped += avail();
        pos_ = end_;
        at = header_end = 0;
      }
      if (!fill()) {
        at = avail();  // The last line, unterminated, is part of the body.
        break;
      }
      continue;
    }
    if (!over && at - header_end > max_body_) over = true;
    if (over) {
      // Hold nothing of an oversized body: drop what was scanned.
      pos_ += at;
      dropped += at;
      at = header_end = 0;
    }
  }
  if (over || at - header_end > max_body_) {
    pos_ += at;
    oversize(rec, dropped + at);
    return;
  }
  finish(rec, header_end, at, at);
}

}  // namespace cmrelay
