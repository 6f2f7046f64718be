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

void lint_conditions(const Case& k, std::vector<Finding>& out) {
  for (const Condition& c : k.conditions) {
    if (c.vals.empty()) {
      out.push_back({c.line, c.text + " in " + k.name + (c.notin ? " always holds" : " never holds") + ": vals is empty"});
    }
    for (const Matcher& m : c.vals) {
      std::string net = m.cidr_network();
      if (!net.empty()) {
        out.push_back({c.line, "'" + m.text() + "' in " + k.name + " has host bits set: it is the range " + net});
      }
    }
    if (c.field != Field::Severity) continue;
    for (const Matcher& m : c.vals) {
      if (m.kind() == Matcher::Exact && m.text() != "Critical" && m.text() != "Warning" && m.text() != "Info" &&
          m.text() != "Ok") {
        out.push_back({c.line, "severity is Critical, Warning, Info or Ok (case-sensitive): '" + m.text() +
                                   "' in " + k.name + " never matches"});
      }
    }
  }
}

}  // namespace

void lint_model(const Model& m, std::vector<Finding>& out) {
  const Case* stopper = nullptr;    // A case that matches everything and stops.
  const Case* catch_all = nullptr;  // A reachable case that matches everything.
  bool by_name = false;
  std::vector<bool> used(m.channels.size(), false);
  for (const Case& k : m.cases) {
    lint_conditions(k, out);
    by_name |= !k.channel_from.empty();
    for (size_t c : k.channels) used[c] = true;
    if (stopper != nullptr) {
      out.push_back({k.line, k.name + " can never be reached: " + stopper->name + " (line " +
                                 std::to_string(stopper->line) + ") matches every event and stops"});
      continue;
    }
    if (matches_everything(k)) {
      if (catch_all == nullptr) catch_all = &k;
      if (!k.fallthrough) stopper = &k;
    }
  }
  for (size_t c : m.default_channels) used[c] = true;
  if (catch_all != nullptr && !m.default_channels.empty()) {
    out.push_back({m.default_line, "default is never used: " + catch_all->name + " (line " +
                                       std::to_string(catch_all->line) + ") matches every event"});
  }
  // With name mapping any declared channel may be reached through a label's value.
  if (by_name) return;
  for (size_t i = 0; i < m.channels.size(); ++i) {
    if (!used[i]) out.push_back({m.channel_lines[i], "channel '" + m.channels[i].name + "' is declared but never used"});
  }
}

}  // namespace cmrelay::route
