// The Flashduty standard event read back from its JSON, for the kinds that render it into
// something else (pagerduty, the message robots, templates). The sender hands targets the
// event as JSON (the form it is dead-lettered and replayed in), so one reading serves all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmrelay::target {

struct EventView {
  std::string status;  // event_status: Critical, Warning, Info, Ok.
  std::string title;   // title_rule
  std::string alert_key;
  std::string description;
  std::vector<std::pair<std::string, std::string>> labels;  // In order.
  int64_t event_time = 0;                                   // Unix seconds; 0 when absent.

  bool recovery() const { return status == "Ok"; }
  // A label's value; nullptr when absent.
  const std::string* label(std::string_view key) const;
  // What the event is about: the resource label, else host, else instance; empty when none.
  std::string_view resource() const;
};

// Reads event_json into out; false when it is not a JSON object (a standard event always is).
bool read_event(std::string_view event_json, EventView& out);

// "Critical", "Warning", "Info" as they are; "Ok" as "Resolved", so that no reader takes
// a recovery message for an alert.
std::string_view status_word(const EventView& e);

// event_time as "2025-06-14T03:12:40Z"; empty when 0.
std::string iso_time(int64_t unix_seconds);

// s cut to at most max_bytes on a UTF-8 boundary (a cut is marked with "…" within the
// limit). Returns true when it cut.
bool cut_bytes(std::string& s, size_t max_bytes);

}  // namespace cmrelay::target
