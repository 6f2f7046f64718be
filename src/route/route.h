// Routing: which channels an event goes to, from a YAML or JSON route file that follows
// Flashduty's route model (ordered cases, ANDed conditions, fallthrough, default).
// This header is the module's whole interface; the model and its pieces are internal.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "event/event.h"
#include "route/channel.h"
#include "vendors/severity.h"

namespace cmrelay {

namespace route {
struct Model;
}

// A route file that cannot be used. what() is every error, one "FILE:LINE: message" per line
// in line order ("FILE: message" when the file cannot be read). Never holds an expanded secret.
class RouteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Why an event went where it did (cmrelay routes test).
struct ConditionVerdict {
  std::string text;      // "labels.team IN [dba, ops]"
  bool present = false;  // The key exists on the event.
  std::string seen;      // Its value, when present.
  bool result = false;
};

struct CaseVerdict {
  std::string name;  // The case's name, or "case N".
  int line = 0;
  bool reached = false;  // False after an earlier case stopped.
  bool matched = false;
  bool stopped = false;  // Matched without fallthrough.
  std::vector<ConditionVerdict> conditions;
  std::string note;                   // Name mapping: what the label named.
  std::vector<std::string> channels;  // The channels this case added.
};

struct RouteExplanation {
  std::vector<CaseVerdict> cases;
  std::string severity;  // What severity conditions saw (a recovery: its alert's); "" unknown.
  bool default_used = false;
  std::string default_reason;            // "no case matched", "the matched cases gave no channel".
  std::vector<const Channel*> channels;  // The final set, as route() gives it.
};

class RouteTable {
 public:
  // Loads a YAML or JSON route file (the extension, else the first non-blank byte, decides).
  // Throws RouteError naming every problem: syntax (with line and column), an unknown key,
  // a bad oper, an invalid regex (RE2's message), a malformed cidr:/num: value, an undeclared
  // channel, an undefined ${VAR}.
  static RouteTable load(const std::string& path);
  // For commands that route without sending (routes test, convert --routes): an undefined
  // ${VAR} in a channel url or header becomes the visible placeholder <unset:VAR> instead of
  // an error, and its name is appended to unset (once each). send never loads this way.
  static RouteTable load_without_secrets(const std::string& path, std::vector<std::string>& unset);

  // Appends the channels the event routes to (de-duplicated, first-match order) to out.
  // Allocates nothing beyond out's growth.
  void route(const Event& e, std::vector<const Channel*>& out) const;
  // The same decision, with every case's and condition's verdict.
  void explain(const Event& e, RouteExplanation& why) const;

  const std::vector<Channel>& channels() const;
  // The default vendor severity table overridden by the file's severity: section.
  const SeverityTable& severity() const;
  const std::string& path() const;
  size_t case_count() const;
  // The file names default channels (an event no case matches goes there, not nowhere).
  bool has_default() const;

 private:
  explicit RouteTable(std::shared_ptr<const route::Model> m) : m_(std::move(m)) {}
  std::shared_ptr<const route::Model> m_;
};

// cmrelay routes check: every load error and every lint finding (channels declared but
// unused, cases that can never be reached, conditions that can never hold), each one line
// "FILE:LINE: message", in line order (the route file's, then its Flashduty route's).
// Warnings, which do not make the file wrong (conditions on fields that differ on recovery,
// Flashduty extensions), read "FILE:LINE: warning: message" and are counted in warnings.
// Extensions (what Flashduty's route would not accept) are reported for a file that loads a
// Flashduty route (flashduty_route:), and for any file when extensions is true. False when
// the file cannot be read (findings then holds the reason).
bool check_routes(const std::string& path, std::vector<std::string>& findings, size_t* warnings = nullptr,
                  bool extensions = false);

}  // namespace cmrelay
