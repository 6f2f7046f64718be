// Tencent Cloud Monitor (Tencent Cloud Observability Platform) callback formats.
#pragma once

#include "vendors/format.h"

namespace cmrelay::tencent {

extern const Format kAlarmFormat;  // tc.alarm: alarm callbacks, metric and event alarms

}  // namespace cmrelay::tencent
