// cmrelay routes test FILE --cases TESTS.yaml: named cases, each a payload file or an inline
// event, with the channels it must reach.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "cli/read.h"
#include "cli/routes.h"

namespace cmrelay::cli {
namespace {

struct CasesError : std::runtime_error {
  CasesError(const YAML::Node& at, const std::string& message)
      : std::runtime_error(std::to_string(at.Mark().line + 1) + ": " + message) {}
};

void only_keys(const YAML::Node& map, std::initializer_list<const char*> keys, const std::string& where) {
  for (const auto& kv : map) {
    bool ok = false;
    for (const char* k : keys) ok |= kv.first.Scalar() == k;
    if (!ok) throw CasesError(kv.first, "unknown key '" + kv.first.Scalar() + "' in " + where);
  }
}

YAML::Node require(const YAML::Node& n, YAML::NodeType::value type, const char* what, const YAML::Node& at) {
  if (!n.IsDefined() || n.Type() != type) throw CasesError(n.IsDefined() ? n : at, std::string(what) + " has the wrong shape");
  return n;
}

struct Case {
  std::string name;
  std::string payload;  // Resolved against the cases file's directory.
  uint64_t index = 0;   // The one event of the payload to check (1-based); 0: every event.
  Event event;          // When there is no payload.
  std::vector<std::string> expect;
};

Case read_case(const YAML::Node& n, size_t index, const std::filesystem::path& dir) {
  Case c;
  c.name = "case " + std::to_string(index);
  require(n, YAML::NodeType::Map, c.name.c_str(), n);
  if (n["name"]) c.name = n["name"].as<std::string>();
  only_keys(n, {"name", "payload", "index", "event", "expect"}, c.name);
  if (n["payload"].IsDefined() == n["event"].IsDefined()) throw CasesError(n, c.name + " needs either payload or event");
  for (const YAML::Node& ch : require(n["expect"], YAML::NodeType::Sequence, "expect", n)) c.expect.push_back(ch.as<std::string>());
  if (n["payload"]) {
    c.payload = (dir / n["payload"].as<std::string>()).string();
    if (n["index"]) c.index = n["index"].as<uint64_t>();
    return c;
  }
  YAML::Node e = require(n["event"], YAML::NodeType::Map, "event", n);
  only_keys(e, {"severity", "title", "description", "labels"}, "event of " + c.name);
  if (e["severity"]) {
    std::optional<Status> s = parse_status(e["severity"].as<std::string>());
    if (!s) throw CasesError(e["severity"], "severity must be Critical, Warning, Info or Ok");
    c.event.status = *s;
  }
  if (e["title"]) c.event.title = e["title"].as<std::string>();
  if (e["description"]) c.event.description = e["description"].as<std::string>();
  if (e["labels"]) {
    for (const auto& kv : require(e["labels"], YAML::NodeType::Map, "labels", e)) {
      c.event.labels.set(kv.first.as<std::string>(), kv.second.as<std::string>());
    }
  }
  return c;
}

std::vector<Case> read_cases(const std::string& path) {
  YAML::Node root = YAML::LoadFile(path);
  if (!root.IsMap()) throw CasesError(root, "a cases file is a mapping with the key tests");
  only_keys(root, {"tests"}, "the cases file");
  YAML::Node tests = require(root["tests"], YAML::NodeType::Sequence, "tests", root);
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::vector<Case> cases;
  for (const YAML::Node& t : tests) cases.push_back(read_case(t, cases.size() + 1, dir));
  return cases;
}

// "" when every event of the case routes as expected, else what went wrong.
std::string run_case(const RouteTable& routes, const Case& c, const RoutesTestOptions& options) {
  std::vector<const Channel*> got;
  if (c.payload.empty()) {
    routes.route(c.event, got);
    return same_channels(got, c.expect) ? "" : "got " + channel_list(got);
  }
  ReadOptions read = options.read;
  read.paths = {c.payload};
  auto pipeline = make_pipeline(read, true, &routes.severity());
  if (!pipeline) return "cannot read " + c.payload;
  std::string problem;
  uint64_t n = 0;
  pipeline->run(read.paths, [&](const Record&, const Detection&, EventBatch& events) {
    for (const Event& e : events) {
      ++n;
      if (c.index != 0 && n != c.index) continue;
      got.clear();
      routes.route(e, got);
      if (problem.empty() && !same_channels(got, c.expect)) problem = "event " + std::to_string(n) + " got " + channel_list(got);
    }
  });
  if (pipeline->counts().rejected > 0) return c.payload + " could not be converted";
  if (n == 0 || n < c.index) return c.payload + " holds " + std::to_string(n) + " events";
  return problem;
}

}  // namespace

int run_route_cases(const RouteTable& routes, const RoutesTestOptions& options) {
  std::vector<Case> cases;
  try {
    cases = read_cases(options.cases_path);
  } catch (const YAML::BadFile&) {
    std::fprintf(stderr, "cmrelay: %s: cannot read\n", options.cases_path.c_str());
    return kUsage;
  } catch (const YAML::Exception& e) {
    std::fprintf(stderr, "cmrelay: %s:%d: %s\n", options.cases_path.c_str(), e.mark.line + 1, e.msg.c_str());
    return kUsage;
  } catch (const CasesError& e) {
    std::fprintf(stderr, "cmrelay: %s:%s\n", options.cases_path.c_str(), e.what());
    return kUsage;
  }
  size_t passed = 0;
  for (const Case& c : cases) {
    std::string problem = run_case(routes, c, options);
    if (problem.empty()) {
      ++passed;
      std::printf("PASS %s: %s\n", c.name.c_str(), channel_list(c.expect).c_str());
    } else {
      std::printf("FAIL %s: expected %s, %s\n", c.name.c_str(), channel_list(c.expect).c_str(), problem.c_str());
    }
  }
  std::printf("%zu passed, %zu failed\n", passed, cases.size() - passed);
  if (!flush_stdout()) return kOutputFailed;
  return passed == cases.size() ? kOk : kRejected;
}

}  // namespace cmrelay::cli
