// Test helpers that run the real stages: bytes through a real pipe or file, bodies through
// the real parser, detector and decoders.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "event/limits.h"
#include "input/body.h"
#include "input/framer.h"
#include "vendors/detect.h"
#include "vendors/format.h"

namespace cmrelay::test {

struct OwnedRecord {
  BodyKind kind;
  std::string body;
  uint64_t index, offset, length;
  std::string error, content_type;
  std::vector<Record::Header> headers;
  bool parsed = false;  // Parsed while framed (Framer::parse_in_place).

  std::string header(std::string_view name) const {  // As Record::header().
    Record r;
    r.headers = headers;
    return std::string(r.header(name));
  }
};

// Frames bytes written into a real pipe by another thread.
inline std::vector<OwnedRecord> frame(const std::string& bytes, size_t max_body = Framer::kDefaultMaxBody,
                                      Framer::Overflow* overflow = nullptr, Framer::InPlace* in_place = nullptr) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe");
  std::thread writer([&] {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::write(fds[1], bytes.data() + off, std::min<size_t>(bytes.size() - off, 65536));
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  std::vector<OwnedRecord> out;
  {
    Framer f(fds[0], "test", max_body, nullptr, overflow);
    f.parse_in_place(in_place);
    Record r;
    while (f.next(r)) {
      out.push_back(
          {r.kind, std::string(r.body), r.index, r.offset, r.length, r.error, r.content_type, r.headers, r.parsed});
    }
  }
  writer.join();
  ::close(fds[0]);
  return out;
}

struct Decoded {
  std::string error;     // Parse, detection or decode error.
  std::string format;    // Detected format id.
  std::string evidence;  // The keys that decided it.
  std::vector<Event> events;
  std::vector<std::string> warnings;
};

// Parses, detects and decodes one body the way the pipeline does.
inline Decoded decode(const std::string& body, BodyKind kind = BodyKind::Json, const SeverityTable& table = {},
                      const std::string& trace_id = {}, std::optional<Vendor> vendor = std::nullopt) {
  Decoded d;
  BodyReader reader;
  Record rec;
  rec.kind = kind;
  rec.body = body;
  rec.source = "test";
  rec.index = 1;
  if (!trace_id.empty()) rec.headers.push_back({"x-volc-trace-id", trace_id});
  json::Value* v = reader.read(rec, d.error);
  if (v == nullptr) return d;
  Detection det = detect(*v, vendor);
  if (det.format == nullptr) {
    d.error = det.error;
    return d;
  }
  d.format = std::string(det.format->id);
  d.evidence = det.evidence;
  EventBatch batch;
  DecodeContext ctx{table, reader.parser(), d.warnings, rec};
  try {
    det.format->decode(*v, ctx, batch);
  } catch (const DecodeError& e) {
    d.error = e.what();
    return d;
  }
  for (Event& e : batch) {
    enforce_limits(e);
    d.events.push_back(e);
  }
  return d;
}

inline Decoded decode_json(const std::string& body) { return decode(body, BodyKind::Json); }
inline Decoded decode_form(const std::string& body) { return decode(body, BodyKind::Form); }

// The one event a body decoded to; fails the test otherwise.
inline const Event& only(const Decoded& d) {
  REQUIRE_MESSAGE(d.error.empty(), d.error);
  REQUIRE(d.events.size() == 1);
  return d.events[0];
}

inline std::string label(const Event& e, std::string_view key) {
  const std::string* v = e.labels.find(key);
  return v ? *v : std::string("<absent>");
}

// Checks each label's value ("<absent>" for a label that must not be there).
inline void check_labels(const Event& e, std::initializer_list<std::pair<const char*, const char*>> want) {
  for (const auto& [key, value] : want) {
    CAPTURE(key);
    CHECK(label(e, key) == value);
  }
}

// Percent-encodes s the way form senders do (space as '+').
inline std::string form_escape(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '*') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

inline std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  std::string s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

// A file of the source tree ("samples/tencent/metric-alarm.json", "tests/vendors/bodies/...").
inline std::string source_file(const std::string& relative) {
  return read_file(std::string(CMRELAY_SOURCE_DIR) + "/" + relative);
}

// Everything written to file descriptor 2 while it lives, appended to text when it ends
// (a pipe: keep it under 64 KiB).
class CaptureStderr {
 public:
  explicit CaptureStderr(std::string& text) : text_(text) {
    std::fflush(stderr);
    REQUIRE(::pipe(pipe_) == 0);
    saved_ = ::dup(2);
    ::dup2(pipe_[1], 2);
    ::close(pipe_[1]);
  }
  ~CaptureStderr() {
    std::fflush(stderr);
    ::dup2(saved_, 2);  // Closes the last write end.
    ::close(saved_);
    char buf[4096];
    for (ssize_t n; (n = ::read(pipe_[0], buf, sizeof buf)) > 0;) text_.append(buf, static_cast<size_t>(n));
    ::close(pipe_[0]);
  }

 private:
  std::string& text_;
  int pipe_[2] = {-1, -1};
  int saved_ = -1;
};

}  // namespace cmrelay::test
