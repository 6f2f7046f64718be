// Volcengine Cloud Monitor callback formats.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "input/record.h"
#include "vendors/format.h"

namespace cmrelay::volc {

extern const Format kMetricFormat;  // volc.metric: alert-policy callbacks
extern const Format kEventFormat;   // volc.event: event-rule callbacks

// The captured request's X-Volc-Trace-Id (the same across Volcengine's retries of one
// delivery): the volc_trace_id label, and serve's dedup key. Empty when there is none, or
// when it is not valid UTF-8: a header is no reason to lose the alert, nor to print invalid
// UTF-8, so the value is dropped, with a warning appended to warnings when given.
std::string_view trace_id(const Record& rec, std::vector<std::string>* warnings = nullptr);

}  // namespace cmrelay::volc
