// The loaded route file: what evaluation reads and what check lints. Internal to route/.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "route/channel.h"
#include "route/doc.h"
#include "route/matcher.h"
#include "vendors/severity.h"

namespace cmrelay::route {

// Status is cmrelay's own key (firing / resolved); DataSource compares with the channel map's
// data_source_id (Flashduty route JSON).
enum class Field { Severity, Status, Title, Description, Label, DataSource };

struct Condition {
  Field field = Field::Label;
  std::string label;  // For Field::Label: the label name.
  size_t slot = 0;    // Index of (field, label) in Model::keys: each is looked up once per event.
  bool notin = false;
  std::vector<Matcher> vals;
  std::string text;  // "labels.team IN [dba, ops]", for explanations.
  int line = 0;
};

struct Case {
  std::string name;  // "case N" when the file gives none.
  int line = 0;
  std::vector<Condition> conditions;
  std::vector<size_t> channels;  // Indexes into Model::channels.
  std::string channel_from;      // Name mapping: this label's value names the channel.
  int channel_from_line = 0;
  bool fallthrough = false;
  bool broken = false;  // A condition could not be read: lint must not call it a catch-all.
};

struct Key {
  Field field;
  std::string label;
  std::unique_ptr<RegexSet> regexes;  // Every regex value of the conditions on this key.
};

struct Finding {
  Finding() = default;
  Finding(int at, std::string what, bool warn = false, std::string in = {})
      : line(at), message(std::move(what)), warning(warn), file(std::move(in)) {}
  int line = 0;
  std::string message;
  bool warning = false;  // Worth knowing, but the file is not wrong (it reads "warning: ...").
  std::string file;      // The file the line is in, when not the route file itself (a Flashduty route).
};

struct Model {
  std::string path;
  std::vector<Key> keys;  // The distinct keys the conditions read.
  std::vector<Channel> channels;
  std::vector<int> channel_lines;
  std::map<std::string, size_t, std::less<>> by_name;
  std::vector<Case> cases;
  std::vector<size_t> default_channels;
  int default_line = 0;
  SeverityTable severity;
  std::string data_source_id;       // data_source_id: what data_source_id conditions compare with.
  std::string flashduty_route;      // flashduty_route: the Flashduty route JSON the cases come from.
  std::vector<Finding> extensions;  // What Flashduty would not accept (warnings for routes check).
};

// The severity severity conditions see: a firing event's status, a recovery's alert's
// severity (Ok when unknown: the key is then absent).
Status routing_severity(const Event& e);

// Where a key points on the event; false when it is absent (a missing label).
bool field_value(const Key& k, const Event& e, std::string_view& out);

// A Flashduty route JSON named by a route file's flashduty_route: its tree and its path.
struct FlashdutyRoute {
  const Node* root = nullptr;
  std::string path;
};

// Fills m from the parsed tree (and, when the file names one, the Flashduty route's cases
// and default). Every problem that makes the file unusable goes to errors; env gives ${VAR}
// values (nullptr when undefined).
void build_model(const Node& root, Model& m, std::vector<Finding>& errors,
                 const std::function<const char*(const std::string&)>& env, const FlashdutyRoute& flashduty = {});

// Findings that do not stop the file loading: unused channels, unreachable cases,
// conditions that never hold.
void lint_model(const Model& m, std::vector<Finding>& out);

// Reads and parses path into m; false when it cannot be read (reason in errors[0]).
// unset, when given: undefined ${VAR}s become <unset:VAR> (names appended there, once each).
bool load_model(const std::string& path, Model& m, std::vector<Finding>& errors,
                std::vector<std::string>* unset = nullptr);

// The placeholder an undefined ${VAR} becomes when loading without secrets.
std::string unset_placeholder(const std::string& name);

}  // namespace cmrelay::route
