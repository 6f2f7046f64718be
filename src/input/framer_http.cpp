// Captured HTTP/1.1 requests: request line, headers, blank line, and a body sized by
// Content-Length, by chunked transfer encoding, or by nothing (up to the next request); a
// gzip or deflate Content-Encoding is decoded. A capture that cannot be framed by its own
// headers (HTTP/2, conflicting lengths, a bad chunk, a header block over the limit) is one
// rejection that runs to the next request line: never split into many.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "input/framer.h"
#include "text/ascii.h"

namespace cmrelay {
namespace {

using text::icontains;
using text::iequals;
using text::trim;

// "POST " / "GET " ...: an upper-case method and a space, the cheap first test.
bool request_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && i < 11 && s[i] >= 'A' && s[i] <= 'Z') ++i;
  return i >= 3 && i <= 10 && i + 1 < s.size() && s[i] == ' ' && s[i + 1] != ' ';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "HTTP/1.1", "HTTP/2", "HTTP/2.0", "HTTP/3": any version, so that a capture this framer
// cannot read is still recognised, and rejected whole.
bool is_protocol(std::string_view p) {
  if (p.size() < 6 || p.substr(0, 5) != "HTTP/" || !is_digit(p[5])) return false;
  return p.size() == 6 || (p.size() == 8 && p[6] == '.' && is_digit(p[7]));
}

std::string_view protocol_of(std::string_view line) { return line.substr(line.rfind(' ') + 1); }

// "POST /hook?x=1 HTTP/1.1": method, target, protocol.
bool is_request_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!request_prefix(line)) return {};
  size_t sp = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp2 == sp) return false;
  return is_protocol(protocol_of(line));
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

// "Content-Length: 75" or a list of identical values ("75, 75"). Every value seen (in this
// header and earlier ones) must agree: a request with two lengths has no known end.
enum class Length { Ok, NotANumber, Conflict };
Length parse_content_length(std::string_view value, bool& has_length, uint64_t& length, std::string& conflict) {
  while (true) {
    size_t comma = value.find(',');
    std::string_view one = trim(value.substr(0, comma));
    if (one.empty() || one.size() > 18 || !std::all_of(one.begin(), one.end(), is_digit)) {
      return Length::NotANumber;
    }
    uint64_t v = 0;
    for (char c : one) v = v * 10 + static_cast<uint64_t>(c - '0');
    if (has_length && v != length) {
      conflict = "conflicting Content-Length values (" + std::to_string(length) + " and " + std::to_string(v) + ")";
      return Length::Conflict;
    }
    length = v;
    has_length = true;
    if (comma == std::string_view::npos) return Length::Ok;
    value.remove_prefix(comma + 1);
  }
}

// Transfer-Encoding: "chunked" frames the body; any other coding ("gzip, chunked") decodes it
// like a Content-Encoding, so it joins that list.
void parse_transfer_encoding(std::string_view value, bool& chunked, std::string& codings) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view one = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (iequals(one, "chunked")) {
      chunked = true;
    } else if (!one.empty()) {
      codings.append(",").append(one);
    }
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
  return is_request_line(view(0, eol));
}

struct Framer::HttpHead {
  std::string problem, conflict, codings;  // The first problem, conflicting lengths, every coding.
  uint64_t length = 0;
  bool has_length = false, bad_length = false, chunked = false;
  size_t end = 0;  // Where the body begins.
};

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
  const std::string_view proto = protocol_of(request);
  if (proto != "HTTP/1" && proto.substr(0, 7) != "HTTP/1.") {
    // Only HTTP/1.x has this text form on the wire; a tool's rendering of HTTP/2 does not say
    // how its body was framed.
    return reject_capture(rec, eol + 1, std::string(proto) + " request: only HTTP/1.x captures can be read");
  }
  HttpHead head;
  if (!read_http_head(rec, eol + 1, head)) return;
  if (!head.conflict.empty() && !head.chunked) return reject_capture(rec, head.end, head.conflict);
  head.has_length &= !head.bad_length;  // The body then runs to the next request, and is rejected.
  if (head.chunked) {
    frame_chunked(rec, head.end);
  } else if (head.has_length) {
    frame_sized(rec, head);
  } else if (method == "GET" || method == "HEAD") {
    finish(rec, query_begin, target_end, head.end);  // The query string is the form.
    rec.kind = BodyKind::Form;
    if (rec.body.empty()) rec.error = "captured HTTP request has neither a body nor a query string";
    return;
  } else {
    frame_unsized(rec, head.end);
  }
  type_capture(rec, std::move(head.problem), head.codings);
}

bool Framer::read_http_head(Record& rec, size_t at, HttpHead& head) {
  size_t eol = 0;
  for (;;) {
    Line l = find_eol(at, kMaxHeaderBytes, eol);
    if (l == Line::TooLong || at > kMaxHeaderBytes) {
      reject_capture(rec, at, "header block longer than 64 KiB");
      return false;
    }
    if (l == Line::End) {
      finish(rec, 0, 0, avail());
      rec.error = "captured HTTP request: input ends inside the headers";
      return false;
    }
    std::string_view h = view(at, eol);
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    at = eol + 1;
    if (h.empty()) break;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) {
      // Keep going: the request still ends where its headers say, and is rejected whole.
      if (head.problem.empty()) head.problem = "malformed header line (no ':')";
      continue;
    }
    std::string_view name = trim(h.substr(0, colon));
    std::string_view value = trim(h.substr(colon + 1));
    if (iequals(name, "content-type")) {
      rec.content_type.assign(value);
    } else if (iequals(name, "content-length")) {
      if (parse_content_length(value, head.has_length, head.length, head.conflict) == Length::NotANumber) {
        head.bad_length = true;
        if (head.problem.empty()) head.problem = "Content-Length is not a number";
      }
    } else if (iequals(name, "transfer-encoding")) {
      parse_transfer_encoding(value, head.chunked, head.codings);
    } else if (iequals(name, "content-encoding")) {
      head.codings.append(",").append(value);
    } else {
      rec.headers.push_back(Record::Header{text::to_lower(name), std::string(value)});
    }
  }
  head.end = at;
  return true;
}

// A body of Content-Length bytes: streamed past when over the limit, rejected when cut short.
void Framer::frame_sized(Record& rec, const HttpHead& head) {
  const size_t header_end = head.end;
  const uint64_t length = head.length;
  if (length > max_body_) {
    pos_ += header_end;
    pass_limit(rec);
    uint64_t got = skip(length);
    oversize(rec, header_end + got);
    if (got < length) rec.error = "captured HTTP request: truncated body, and larger than the limit (--max-body)";
  } else if (!ensure(header_end + length)) {
    const size_t got = avail() - header_end;
    finish(rec, header_end, avail(), avail());
    rec.error = "captured HTTP request: truncated body: Content-Length is " + std::to_string(length) + " but only " +
                std::to_string(got) + " bytes follow";
  } else {
    finish(rec, header_end, header_end + length, header_end + length);
  }
}

// A framed capture's last steps: a header problem rejects it; its codings are undone; its
// kind is its Content-Type's, else what its first byte says.
void Framer::type_capture(Record& rec, std::string problem, const std::string& codings) {
  if (rec.error.empty() && !problem.empty()) rec.error = "captured HTTP request: " + problem;
  if (!rec.error.empty()) return;
  Coding coding = Coding::Identity;
  if (!parse_coding(codings, coding, problem)) {
    rec.error = "captured HTTP request: " + problem;  // Kept as it came, for the reject file.
    return;
  }
  if (coding != Coding::Identity) decode_coding(rec, coding);
  if (!rec.error.empty()) return;
  if (icontains(rec.content_type, "json")) {
    rec.kind = BodyKind::Json;
  } else if (icontains(rec.content_type, "x-www-form-urlencoded")) {
    rec.kind = BodyKind::Form;
  } else {
    size_t k = rec.body.find_first_not_of(" \t\r\n");
    rec.kind =
        k != std::string_view::npos && (rec.body[k] == '{' || rec.body[k] == '[') ? BodyKind::Json : BodyKind::Form;
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
  std::string bad;  // Set by a bad chunk-size line once the body's end is found again.
  // The reject file gets what was de-chunked before the error.
  auto fail = [&](std::string why, size_t more) {
    pos_ += more;
    rec.body = over ? std::string_view{} : std::string_view(decoded_);
    rec.length = consumed + more;
    rec.error = "captured HTTP request: " + std::move(why);
  };
  for (;;) {
    size_t eol = 0;
    Line l = find_eol(0, 1024, eol);
    if (l == Line::End) return fail("truncated chunked body", avail());
    uint64_t size = 0;
    if (l == Line::TooLong || !parse_chunk_size(view(0, eol), size)) {
      bad = "bad chunk size line";
      if (!resync_chunked(consumed)) return fail(bad, 0);
      break;  // The last chunk after all: its trailers follow.
    }
    pos_ += eol + 1;
    consumed += eol + 1;
    if (size == 0) break;
    if (!over && size > max_body_ - decoded_.size()) {
      over = true;
      pass_limit(rec);
      spill(decoded_);
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
    if (ensure(1) && buf_[pos_] == '\r') {
      ++pos_;
      ++consumed;
    }
    if (ensure(1) && buf_[pos_] == '\n') {
      ++pos_;
      ++consumed;
    }
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
  if (!bad.empty()) return fail(bad, 0);
  if (over) {
    oversize(rec, consumed);
    return;
  }
  rec.body = decoded_;
  rec.length = consumed;
}

// After a bad chunk-size line the body's end is unknown: drops the lines up to and including
// the last chunk ("0"), or up to the next request line or the end of input. True when the
// last chunk was found (trailers may follow). Holds at most 64 KiB of a long line.
bool Framer::resync_chunked(uint64_t& consumed) {
  bool mid_line = false;  // The buffer starts inside a line partly dropped already.
  auto drop = [&](size_t n) {
    pos_ += n;
    consumed += n;
  };
  for (;;) {
    size_t eol = 0;
    const Line l = find_eol(0, kMaxHeaderBytes, eol);
    if (l != Line::Found) {
      const bool newline = eol < avail();  // Found beyond the 64 KiB: the line ends there.
      drop(newline ? eol + 1 : avail());
      mid_line = !newline;
      if (l == Line::End) return false;
      continue;
    }
    uint64_t size = 1;
    if (!mid_line && is_request_line(view(0, eol))) return false;
    const bool last = !mid_line && parse_chunk_size(view(0, eol), size) && size == 0;
    drop(eol + 1);
    mid_line = false;
    if (last) return true;
  }
}

// A capture that its own headers cannot frame is rejected whole: from its request line to the
// next one (or the end of input). What follows its header block is kept for the reject file
// when it fits --max-body; the request line and headers never are (they may hold credentials,
// and records keep no secret).
void Framer::reject_capture(Record& rec, size_t at, std::string why) {
  uint64_t dropped = 0;
  bool over = false;
  size_t keep = 0;
  const size_t end = capture_end(nullptr, keep, at, true, dropped, over);
  size_t body = end;
  if (!over && end <= max_body_) {
    const std::string_view text = view(0, end);
    for (std::string_view blank : {std::string_view("\n\r\n"), std::string_view("\n\n")}) {
      const size_t b = text.find(blank);
      if (b != std::string_view::npos) body = std::min(body, b + blank.size());
    }
  }
  finish(rec, body, end, end);
  rec.length += dropped;
  rec.error = "captured HTTP request: " + std::move(why);
}

void Framer::decode_coding(Record& rec, Coding coding) {
  std::string why;
  if (inflate_body(rec.body, coding, max_body_, inflated_, why)) {
    rec.body = inflated_;
  } else {
    rec.error = "captured HTTP request: " + why;  // The body stays as it came.
  }
}

// Scans whole lines from at (a line start, relative to pos_) to the start of the next request
// line, or the end of input; with first_may_end false the first line never ends it. While the
// bytes from keep on fit max_body they stay in the buffer; past that, scanned bytes are
// dropped as they come (counted in dropped) and over is set: an endless capture holds nothing.
// Returns the end, relative to pos_.
size_t Framer::capture_end(const Record* rec, size_t& keep, size_t at, bool first_may_end, uint64_t& dropped,
                           bool& over) {
  bool first = !first_may_end;
  for (;;) {
    const char* p = buf_.data() + pos_;
    const void* nl = std::memchr(p + at, '\n', avail() - at);
    if (nl != nullptr) {
      const size_t eol = static_cast<size_t>(static_cast<const char*>(nl) - p);
      if (!first && is_request_line(view(at, eol))) break;
      first = false;
      at = eol + 1;
    } else {
      if (!over && avail() - keep > max_body_) over = true;
      if (over) {
        // A line longer than the limit: hand it on as it comes (kept whole), hold none of it.
        if (rec != nullptr) {
          pass_limit(*rec);
          spill(view(keep, avail()));
        }
        dropped += avail();
        pos_ = end_;
        at = keep = 0;
      }
      if (!fill()) {
        at = avail();  // The last line, unterminated, is part of the capture.
        break;
      }
      continue;
    }
    if (!over && at - keep > max_body_) over = true;
    if (over) {
      // Hold nothing of an oversized body: hand on what was scanned.
      if (rec != nullptr) {
        pass_limit(*rec);
        spill(view(keep, at));
      }
      pos_ += at;
      dropped += at;
      at = keep = 0;
    }
  }
  return at;
}

// No length: the body runs to the next captured request or the end of input.
void Framer::frame_unsized(Record& rec, size_t header_end) {
  uint64_t dropped = 0;
  bool over = false;
  size_t keep = header_end;  // Set to 0 once the body passed the limit and was handed on.
  const size_t at = capture_end(&rec, keep, header_end, false, dropped, over);
  if (over || at - keep > max_body_) {
    pass_limit(rec);
    spill(view(keep, at));
    pos_ += at;
    oversize(rec, dropped + at);
    return;
  }
  finish(rec, header_end, at, at);
}

}  // namespace cmrelay
