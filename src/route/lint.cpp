// routes check findings that do not stop a file loading.
#include "route/model.h"

namespace cmrelay::route {
namespace {

bool always_holds(const Condition& c) {
  if (c.notin) return c.vals.empty();
  if (c.field == Field::Label) return false;
  for (const Matcher& m : c.vals) {
    if (m.kind() == Matcher::Any) return true;
  }
  return false;
}

bool matches_everything(const Case& k) {
  if (!k.channel_from.empty() || k.broken) return false;
  for (const Condition& c : k.conditions) {
    if (!always_holds(c)) return false;
  }
  return true;
}

// Labels whose value on a recovery is not the alert's (the vendor's state, value, times,
// ids of the notification itself), besides title and description.
constexpr std::string_view kVaryingLabels[] = {
    "current_value", "vendor_severity", "pre_trigger_level", "alert_status", "status",   "event_type",
    "event_id",      "last_time",       "trans_id",          "batch_id",     "trace_id", "volc_trace_id"};

bool varies_on_recovery(const Condition& c) {
  if (c.field == Field::Title || c.field == Field::Description) return true;
  if (c.field != Field::Label) return false;
  for (std::string_view name : kVaryingLabels) {
    if (c.label == name) return true;
  }
  return false;
}

// Exact values severity and status can never take.
void lint_values(const Condition& c, const Case& k, std::vector<Finding>& out) {
  if (c.field != Field::Severity && c.field != Field::Status) return;
  for (const Matcher& m : c.vals) {
    if (m.kind() != Matcher::Exact) continue;
    const std::string& v = m.text();
    if (c.field == Field::Status && v != "firing" && v != "resolved") {
      out.emplace_back(c.line, "status is firing or resolved: '" + v + "' in " + k.name + " never matches");
    } else if (c.field == Field::Severity && v == "Ok") {
      out.emplace_back(c.line, "severity Ok in " + k.name + " never matches: a recovery is routed with its alert's " +
                                   "severity (route recoveries on purpose with key status, vals [resolved])");
    } else if (c.field == Field::Severity && v != "Critical" && v != "Warning" && v != "Info") {
      out.emplace_back(c.line, "severity is Critical, Warning or Info (case-sensitive): '" + v + "' in " + k.name +
                                   " never matches");
    }
  }
}

void lint_conditions(const Case& k, std::vector<Finding>& out) {
  for (const Condition& c : k.conditions) {
    if (c.vals.empty()) {
      out.emplace_back(c.line,
                       c.text + " in " + k.name + (c.notin ? " always holds" : " never holds") + ": vals is empty");
    }
    for (const Matcher& m : c.vals) {
      std::string net = m.cidr_network();
      if (!net.empty()) {
        out.emplace_back(c.line, "'" + m.text() + "' in " + k.name + " has host bits set: it is the range " + net);
      }
    }
    lint_values(c, k, out);
    if (varies_on_recovery(c)) {
      out.emplace_back(c.line,
                       c.text + " in " + k.name + " reads a field that can differ between an alert and its " +
                           "recovery: the recovery may route elsewhere (the state file sends it where the " +
                           "alert went; see status for routing recoveries on purpose)",
                       true);
    }
  }
}

}  // namespace

void lint_model(const Model& m, std::vector<Finding>& out) {
  const size_t first = out.size();
  const Case* stopper = nullptr;    // A case that matches everything and stops.
  const Case* catch_all = nullptr;  // A reachable case that matches everything.
  bool by_name = false;
  std::vector<bool> used(m.channels.size(), false);
  for (const Case& k : m.cases) {
    lint_conditions(k, out);
    by_name |= !k.channel_from.empty();
    for (size_t c : k.channels) used[c] = true;
    if (stopper != nullptr) {
      out.emplace_back(k.line, k.name + " can never be reached: " + stopper->name + " (line " +
                                   std::to_string(stopper->line) + ") matches every event and stops");
      continue;
    }
    if (matches_everything(k)) {
      if (catch_all == nullptr) catch_all = &k;
      if (!k.fallthrough) stopper = &k;
    }
  }
  for (size_t c : m.default_channels) used[c] = true;
  if (catch_all != nullptr && !m.default_channels.empty()) {
    out.emplace_back(m.default_line, "default is never used: " + catch_all->name + " (line " +
                                         std::to_string(catch_all->line) + ") matches every event");
  }
  // Cases and the default are in the Flashduty route, when the file names one.
  for (size_t i = first; i < out.size(); ++i) out[i].file = m.flashduty_route;
  // With name mapping any declared channel may be reached through a label's value.
  if (by_name) return;
  // A warning, not an error: keeping a channel declared that no case routes to any more is
  // how an operator lets the alerts already open there close (the state sends their
  // recoveries where they went, among the declared channels).
  for (size_t i = 0; i < m.channels.size(); ++i) {
    if (!used[i])
      out.emplace_back(m.channel_lines[i],
                       "channel '" + m.channels[i].name +
                           "' is declared but no case or default routes to it: only recoveries of alerts that "
                           "went there before (as the open-alert state remembers) still reach it; remove it "
                           "once `cmrelay alerts` shows none open there",
                       true);
  }
}

}  // namespace cmrelay::route
