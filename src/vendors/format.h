// The interface every vendor decoder implements, and the list of them.
// A decoder is a pure function from a parsed body to events: no I/O, no routing, no HTTP.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "input/record.h"
#include "json/parser.h"
#include "vendors/severity.h"

namespace cmrelay {

// A body that has a known format but cannot be decoded (a field of the wrong type...).
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DecodeContext {
  const SeverityTable& severity;
  json::Parser& json;                  // For JSON that arrives inside a string.
  std::vector<std::string>& warnings;  // Said once per run by the caller.
  const Record& record;                // Where the body came from (capture headers too).
};

struct Format {
  std::string_view id;  // "volc.metric", "ali.event", ...
  Vendor vendor;
  // Keys of which every body this format recognises has at least one at its root (never
  // empty). detect() does not call recognise for a body that has none of them: most
  // recognisers would search the body's members for keys it lacks, and every body is tried
  // against every format. vendors/detect_test checks the keys against every known body.
  std::span<const std::string_view> keys;
  // True when body has this format's shape; evidence names the keys that decided it.
  bool (*recognise)(const json::Value& body, std::string& evidence);
  // Appends the body's events to out. Throws DecodeError.
  void (*decode)(json::Value& body, DecodeContext& ctx, EventBatch& out);
};

// Every format cmrelay reads, in detection order.
const std::vector<const Format*>& all_formats();

}  // namespace cmrelay
