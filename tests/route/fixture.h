// Route test helpers: route files written to a temporary directory, and events built inline.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "event/event.h"
#include "route/route.h"

namespace cmrelay::test {

// A directory of this run's route files, removed when the tests end.
struct RouteFileDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("cmrelay-route-test-" + std::to_string(::getpid()));
  RouteFileDir() { std::filesystem::create_directories(path); }
  ~RouteFileDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline std::string write_route_file(const std::string& name, const std::string& text) {
  static RouteFileDir dir;
  std::string path = (dir.path / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

inline Event make_event(Status s, std::string title,
                        std::initializer_list<std::pair<const char*, const char*>> labels) {
  Event e;
  e.status = s;
  e.title = std::move(title);
  for (const auto& [k, v] : labels) e.labels.set(k, v);
  return e;
}

inline std::vector<std::string> routed(const RouteTable& t, const Event& e) {
  std::vector<const Channel*> out;
  t.route(e, out);
  std::vector<std::string> names;
  for (const Channel* c : out) names.push_back(c->name);
  return names;
}

// Channel names, in order.
inline std::vector<std::string> names(const std::vector<const Channel*>& channels) {
  std::vector<std::string> out;
  for (const Channel* c : channels) out.push_back(c->name);
  return out;
}

// A route file where a recovery strands its alert by the file alone: Critical to a; a value
// of 95 or more to hot as well (the value differs on recovery); the rest to ops.
inline constexpr const char* kValueRoutes = R"(
channels:
  a:   {url: "https://h/a"}
  hot: {url: "https://h/hot"}
  ops: {url: "https://h/ops"}
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [a], fallthrough: true}
  - {if: [{key: labels.value, oper: IN, vals: ["num:ge:95"]}], channels: [hot]}
default: {channels: [ops]}
)";

// An event of alert k1 with labels.value.
inline Event value_event(Status s, const char* value) {
  Event e = make_event(s, "cpu", {{"value", value}});
  e.alert_key = "k1";
  return e;
}

// The message of the RouteError loading text throws, or "" when it loads.
inline std::string load_error(const std::string& name, const std::string& text) {
  try {
    RouteTable::load(write_route_file(name, text));
  } catch (const RouteError& e) {
    return e.what();
  }
  return "";
}

}  // namespace cmrelay::test
