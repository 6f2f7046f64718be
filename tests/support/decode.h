// Test helper: one body through the same stages as the pipeline (BodyReader, detect, the
// format's decoder) without files or stderr.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

inline Decoded decode_json(std::string_view body) { return decode_body(body, BodyKind::Json); }
inline Decoded decode_form(std::string_view body) { return decode_body(body, BodyKind::Form); }

inline std::string label(const Event& e, std::string_view key) {
  const std::string* v = e.labels.find(key);
  return v ? *v : std::string("<absent>");
}

}  // namespace cmrelay::test
