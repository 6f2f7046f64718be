// cmrelay routes test FILE --cases TESTS.yaml: named cases, each a payload file or an inline
// event, with the channels it must reach.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli/read.h"
#include "cli/routes.h"
#include "report/diag.h"
#include "route/dispatch.h"
#include "route/yaml_document.h"

namespace cmrelay::cli {
namespace {

struct CasesError : std::runtime_error {
  CasesError(const YAML::Node& at, const std::string& message) : CasesError(at.Mark().line + 1, message) {}
  CasesError(int line, const std::string& message) : std::runtime_error(std::to_string(line) + ": " + message) {}
};

void only_keys(const YAML::Node& map, std::initializer_list<const char*> keys, const std::string& where) {
  for (const auto& kv : map) {
    bool ok = false;
    for (const char* k : keys) ok |= kv.first.Scalar() == k;
    if (!ok) throw CasesError(kv.first, "unknown key '" + kv.first.Scalar() + "' in " + where);
  }
}

YAML::Node require(const YAML::Node& n, YAML::NodeType::value type, const char* what, const YAML::Node& at) {
  if (!n.IsDefined() || n.Type() != type)
    throw CasesError(n.IsDefined() ? n : at, std::string(what) + " has the wrong shape");
  return n;
}

struct Case {
  std::string name;
  std::string payload;  // Resolved against the cases file's directory.
  uint64_t index = 0;   // The one event of the payload to check (1-based); 0: every event.
  Event event;          // When there is no payload.
  std::vector<std::string> expect;
  // The alert's recovery, checked with it: a payload (its event of the same index), or an
  // inline event (the firing event turned recovery, with the fields given).
  bool has_recovery = false;
  std::string recovery_payload;
  Event recovery;
  bool has_expect_recovery = false;
  std::vector<std::string> expect_recovery;  // Where send delivers it (route and state).
  bool relies_on_state = false;              // The route file alone may miss some of the alert's channels.
};

// The fields an inline event gives, over what e holds.
void read_event_fields(const YAML::Node& e, Event& event, const std::string& where) {
  only_keys(e, {"severity", "title", "description", "labels"}, where);
  if (e["severity"]) {
    std::optional<Status> s = parse_status(e["severity"].as<std::string>());
    if (!s) throw CasesError(e["severity"], "severity must be Critical, Warning, Info or Ok");
    event.status = *s;
  }
  if (e["title"]) event.title = e["title"].as<std::string>();
  if (e["description"]) event.description = e["description"].as<std::string>();
  if (e["labels"]) {
    for (const auto& kv : require(e["labels"], YAML::NodeType::Map, "labels", e)) {
      event.labels.set(kv.first.as<std::string>(), kv.second.as<std::string>());
    }
  }
}

void read_recovery(const YAML::Node& n, Case& c, const std::filesystem::path& dir) {
  const YAML::Node r = n["recovery"];
  c.has_recovery = r.IsDefined();
  if (n["expect_recovery"]) {
    if (!c.has_recovery) throw CasesError(n["expect_recovery"], c.name + ": expect_recovery needs recovery");
    c.has_expect_recovery = true;
    for (const YAML::Node& ch : require(n["expect_recovery"], YAML::NodeType::Sequence, "expect_recovery", n)) {
      c.expect_recovery.push_back(ch.as<std::string>());
    }
  }
  if (n["relies_on_state"]) c.relies_on_state = n["relies_on_state"].as<bool>();
  if (!c.has_recovery) return;
  if (r.IsScalar()) {
    c.recovery_payload = (dir / r.as<std::string>()).string();
    return;
  }
  require(r, YAML::NodeType::Map, "recovery", n);
  if (!c.payload.empty())
    throw CasesError(r, c.name + ": an inline recovery needs an inline event (or give a payload)");
  c.recovery = c.event;
  c.recovery.alert_severity = c.event.status;
  c.recovery.status = Status::Ok;
  read_event_fields(r, c.recovery, "recovery of " + c.name);
}

Case read_case(const YAML::Node& n, size_t index, const std::filesystem::path& dir) {
  Case c;
  c.name = "case " + std::to_string(index);
  require(n, YAML::NodeType::Map, c.name.c_str(), n);
  if (n["name"]) c.name = n["name"].as<std::string>();
  only_keys(n, {"name", "payload", "index", "event", "expect", "recovery", "expect_recovery", "relies_on_state"},
            c.name);
  if (n["payload"].IsDefined() == n["event"].IsDefined())
    throw CasesError(n, c.name + " needs either payload or event");
  for (const YAML::Node& ch : require(n["expect"], YAML::NodeType::Sequence, "expect", n))
    c.expect.push_back(ch.as<std::string>());
  if (n["payload"]) {
    c.payload = (dir / n["payload"].as<std::string>()).string();
    if (n["index"]) c.index = n["index"].as<uint64_t>();
  } else {
    read_event_fields(require(n["event"], YAML::NodeType::Map, "event", n), c.event, "event of " + c.name);
    c.event.alert_key = "case/" + std::to_string(index);  // One alert per case; its recovery shares it.
  }
  read_recovery(n, c, dir);
  if (c.has_recovery && !c.payload.empty() && c.index == 0) c.index = 1;  // One alert, one recovery.
  return c;
}

// The file's one YAML document, read as the route loader reads a route file.
YAML::Node load_cases(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) throw YAML::BadFile(path);
  YAML::Node root;
  route::SyntaxError err;
  if (!route::load_yaml_document(text.str(), root, err, "cases file"))
    throw CasesError(err.line, route::syntax_message(err));
  return root;
}

std::vector<Case> read_cases(const std::string& path) {
  YAML::Node root = load_cases(path);
  if (!root.IsMap()) throw CasesError(root, "a cases file is a mapping with the key tests");
  only_keys(root, {"tests"}, "the cases file");
  YAML::Node tests = require(root["tests"], YAML::NodeType::Sequence, "tests", root);
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::vector<Case> cases;
  for (const YAML::Node& t : tests) cases.push_back(read_case(t, cases.size() + 1, dir));
  return cases;
}

// Calls f(n, event) for every event of payload (n from 1); "" or why it could not be read.
template <class F>
std::string each_event(const RouteTable& routes, const std::string& payload, uint64_t index,
                       const RoutesTestOptions& options, F&& f) {
  ReadOptions read = options.read;
  read.paths = {payload};
  auto pipeline = make_pipeline(read, true, &routes.severity());
  if (!pipeline) return "cannot read " + payload;
  uint64_t n = 0;
  pipeline->run(read.paths, [&](const Record&, const Detection&, EventBatch& events) {
    for (const Event& e : events) {
      ++n;
      if (index == 0 || n == index) f(n, e);
    }
  });
  if (pipeline->counts().rejected > 0) return payload + " could not be converted";
  if (n == 0 || n < index) return payload + " holds " + std::to_string(n) + " events";
  return "";
}

// The recovery: where the route file alone sends it, and where send delivers it (dispatch
// with the memory of the firing event: the route and every channel its alert reached).
std::string check_recovery(const RouteTable& routes, const Case& c, const Event& firing, Dispatch& dispatch,
                           const RoutesTestOptions& options) {
  Event recovery = c.recovery;
  if (!c.recovery_payload.empty()) {
    std::string unread =
        each_event(routes, c.recovery_payload, c.index, options, [&](uint64_t, const Event& e) { recovery = e; });
    if (!unread.empty()) return unread;
  }
  if (recovery.status != Status::Ok)
    return "the recovery is not a recovery (" + std::string(status_name(recovery.status)) + ")";
  if (recovery.alert_key != firing.alert_key) {
    return "the recovery's alert_key '" + recovery.alert_key + "' is not its alert's '" + firing.alert_key +
           "' (it would close nothing)";
  }
  DispatchExplanation why;
  std::vector<const Channel*> sent;
  dispatch.explain(recovery, sent, why);
  if (c.has_expect_recovery && !same_channels(sent, c.expect_recovery)) {
    return "the recovery goes to " + channel_list(sent) + ", not " + channel_list(c.expect_recovery);
  }
  if (!why.added.empty() && !c.relies_on_state) {
    return "by the route file alone the recovery goes to " + channel_list(why.cases.channels) + " and misses " +
           channel_list(why.added) + ", where its alert went (only the state file would close it there)";
  }
  return "";
}

// "" when every event of the case routes as expected, else what went wrong. Each case is its
// alert's whole history: its own memory, empty at the start.
std::string run_case(const RouteTable& routes, const Case& c, const RoutesTestOptions& options) {
  RunMemory memory;
  Dispatch dispatch(routes, &memory);
  std::vector<const Channel*> got;
  if (c.payload.empty()) {
    Event firing = c.event;
    dispatch.route(firing, got);
    if (!same_channels(got, c.expect)) return "got " + channel_list(got);
    return c.has_recovery ? check_recovery(routes, c, firing, dispatch, options) : "";
  }
  std::string problem;
  Event firing;
  std::string unread = each_event(routes, c.payload, c.index, options, [&](uint64_t n, const Event& e) {
    firing = e;
    dispatch.route(firing, got);
    if (problem.empty() && !same_channels(got, c.expect))
      problem = "event " + std::to_string(n) + " got " + channel_list(got);
  });
  if (!unread.empty()) return unread;
  if (problem.empty() && c.has_recovery) problem = check_recovery(routes, c, firing, dispatch, options);
  return problem;
}

}  // namespace

int run_route_cases(const RouteTable& routes, const RoutesTestOptions& options) {
  std::vector<Case> cases;
  try {
    cases = read_cases(options.cases_path);
  } catch (const YAML::BadFile&) {
    diag::say("%s: cannot read", options.cases_path.c_str());
    return kUsage;
  } catch (const YAML::Exception& e) {
    diag::say("%s:%d: %s", options.cases_path.c_str(), e.mark.line + 1, e.msg.c_str());
    return kUsage;
  } catch (const CasesError& e) {
    diag::say("%s:%s", options.cases_path.c_str(), e.what());
    return kUsage;
  }
  size_t passed = 0;
  for (const Case& c : cases) {
    std::string problem = run_case(routes, c, options);
    if (problem.empty()) {
      ++passed;
      std::printf("PASS %s: %s%s\n", c.name.c_str(), channel_list(c.expect).c_str(),
                  c.has_recovery ? ", and its recovery" : "");
    } else {
      std::printf("FAIL %s: expected %s, %s\n", c.name.c_str(), channel_list(c.expect).c_str(), problem.c_str());
    }
  }
  std::printf("%zu passed, %zu failed\n", passed, cases.size() - passed);
  if (!flush_stdout()) return kOutputFailed;
  return passed == cases.size() ? kOk : kRejected;
}

}  // namespace cmrelay::cli
