// The table of target kinds, by the name a route file's `kind:` gives (ccache's table of
// remote storage schemes is the model): each kind is one file that exports a Kind, listed
// once in kinds.cpp. The route loader looks a channel's kind up here, checks the channel's
// keys against it, and keeps the Target it makes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "target/target.h"

namespace cmrelay::target {

// A route-file key of a kind's own (beyond url, headers, timeout, id, redact, rate, kind).
struct KeySpec {
  std::string_view name;
  bool secret = false;    // Masked wherever text is printed or recorded (routing_key, secret).
  bool verbatim = false;  // Taken as written: no ${VAR} expansion (a template's own syntax).
};

// What a route file says about a channel's target, ${VAR}s expanded.
struct Settings {
  std::string channel;                                      // The channel's name ({{channel}} in a template).
  std::string url;                                          // The kind's default_url when the file gives none.
  std::vector<std::pair<std::string, std::string>> values;  // The kind's own keys the file gives.
  // A value the file gives; nullptr when it gives none.
  const std::string* get(std::string_view key) const;
};

// Why a kind cannot make a target of these settings. key: the key it is about (empty: the
// channel); line and column: 1-based, within that key's value (0: the key as a whole).
struct Problem {
  std::string key;
  int line = 0;
  int column = 0;
  std::string message;
};

struct Kind {
  std::string_view name;
  std::string_view default_url;  // Empty: url: is required.
  std::vector<KeySpec> keys;
  // The target for these settings, or nullptr with problem set.
  std::shared_ptr<const Target> (*make)(const Settings& settings, Problem& problem);
};

// The kind of that name; nullptr when there is none.
const Kind* find_kind(std::string_view name);
// Every kind's name, "flashduty, pagerduty, ...", for messages.
std::string kind_names();

// Flashduty's documented limits per integration: 100 requests per second and 1000 per minute.
inline constexpr std::string_view kFlashdutyRate = "100/s,1000/m";
// True for a Flashduty push URL: host api.flashcat.cloud, path under /event/push/.
bool is_flashduty_push(std::string_view url);

}  // namespace cmrelay::target
