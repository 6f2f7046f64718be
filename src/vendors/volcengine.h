// Volcengine Cloud Monitor callback formats.
#pragma once

#include "vendors/format.h"

namespace cmrelay::volc {

extern const Format kMetricFormat;  // volc.metric: alert-policy callbacks
extern const Format kEventFormat;   // volc.event: event-rule callbacks

}  // namespace cmrelay::volc
