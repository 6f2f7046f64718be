// Flashduty's size limits, enforced on code-point boundaries just before an event leaves.
#pragma once

#include <string>

#include "event/event.h"

namespace cmrelay {

struct Limits {
  static constexpr size_t kTitle = 512;
  static constexpr size_t kAlertKey = 255;
  static constexpr size_t kDescription = 2048;
  static constexpr size_t kLabelKey = 128;
  static constexpr size_t kLabelValue = 2048;
  static constexpr size_t kLabels = 50;
};

// Truncates whatever exceeds a limit. Returns an empty string when nothing was cut, else a
// short account such as "title_rule cut to 512 characters, 3 labels dropped (50 max)".
std::string enforce_limits(Event& e);

// Flashduty renders a title_rule that starts with "[TPL]" as a template. A vendor value
// (a rule or resource name) must never turn into one: its leading "[TPL]" becomes "(TPL)".
// True when it did. Not applied to standard events read back, whose author meant it.
bool defuse_template(Event& e);

}  // namespace cmrelay
