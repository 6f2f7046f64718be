// Test helper: one body through the same stages as the pipeline (BodyReader, detect, the
// format's decoder) without files or stderr.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "detect/detect.h"
#include "event/event.h"
#include "input/body.h"
#include "input/record.h"
#include "vendors/severity.h"

namespace cmrelay::test {

struct Decoded {
  std::string format;              // Detected format id; empty when detection failed.
  std::string evidence;            // The keys that decided it.
  std::string error;               // Read, detection or decode error.
  std::vector<Event> events;
  std::vector<std::string> warnings;
};

inline Decoded decode_body(std::string_view body, BodyKind kind, std::optional<Vendor> only = std::nullopt) {
  Decoded out;
  Record rec;
  rec.kind = kind;
  rec.body = body;
  rec.source = "test";
  rec.index = 1;
  BodyReader reader;
  json::Value* v = reader.read(rec, out.error);
  if (v == nullptr) return out;
  Detection d = detect(*v, only);
  if (d.format == nullptr) {
    out.error = d.error;
    return out;
  }
  out.format = std::string(d.format->id);
  out.evidence = d.evidence;
  SeverityTable severity;
  EventBatch batch;
  DecodeContext ctx{severity, reader.parser(), out.warnings, rec};
  try {
    d.format->decode(*v, ctx, batch);
  } catch (const std::exception& ex) {
    out.error = ex.what();
    return out;
  }
  for (const Event& e : batch) out.events.push_back(e);
  return out;
}

// The one event a body decoded to; fails the test otherwise.
inline const Event& only(const Decoded& d) {
  REQUIRE_MESSAGE(d.error.empty(), d.error);
  REQUIRE(d.events.size() == 1);
  return d.events[0];
}

inline Decoded decode_json(std::string_view body) { return decode_body(body, BodyKind::Json); }
inline Decoded decode_form(std::string_view body) { return decode_body(body, BodyKind::Form); }

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

}  // namespace cmrelay::test
