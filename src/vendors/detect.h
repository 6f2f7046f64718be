// Names the format of a parsed body, with the keys that decided it, or says why none fits.
#pragma once

#include <optional>
#include <string>

#include "json/parser.h"
#include "vendors/format.h"

namespace cmrelay {

struct Detection {
  const Format* format = nullptr;  // Set when exactly one format fits.
  std::string evidence;            // "Type=Metric, RuleId, Resources"
  std::string error;               // Set when none or several fit.
};

// Tries every format (only the given vendor's when one is forced).
Detection detect(const json::Value& body, std::optional<Vendor> only = std::nullopt);
// The same into d, whose strings keep their storage from body to body.
void detect(const json::Value& body, std::optional<Vendor> only, Detection& d);

}  // namespace cmrelay
