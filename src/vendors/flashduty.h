// Cmrelay's own outputs read back as input: a Flashduty standard event (as `convert`
// prints it) and a dead-letter record (as `send` writes it), so that
// `cmrelay convert ... | cmrelay send` works and a dead-letter file can be replayed.
#pragma once

#include <string>
#include <string_view>

#include "vendors/format.h"

namespace cmrelay::flashduty {

extern const Format kEventFormat;       // flashduty: event_status + title_rule
extern const Format kDeadLetterFormat;  // deadletter: event + channel + attempts (Event::replay_channel)

}  // namespace cmrelay::flashduty
