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

enum class Field { Severity, Title, Description, Label };

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
};

struct Key {
  Field field;
  std::string label;
  std::unique_ptr<RegexSet> regexes;  // Every regex value of the conditions on this key.
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
};

struct Finding {
  int line = 0;
  std::string message;
};

// Where a key points on the event; false when it is absent (a missing label).
bool field_value(const Key& k, const Event& e, std::string_view& out);

// Fills m from the parsed tree. Every problem that makes the file unusable goes to errors;
// env gives ${VAR} values (nullptr when undefined).
void build_model(const Node& root, Model& m, std::vector<Finding>& errors,
                 const std::function<const char*(const std::string&)>& env);

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
