#include "route/route.h"

#include <doctest/doctest.h>

#include <cstdlib>

#include "route/fixture.h"

using namespace cmrelay;
using cmrelay::test::load_error;
using cmrelay::test::make_event;
using cmrelay::test::routed;
using cmrelay::test::write_route_file;
using V = std::vector<std::string>;

namespace {

constexpr const char* kChannels = R"(
channels:
  a: {url: "https://h/a"}
  b: {url: "https://h/b"}
  c: {url: "https://h/c"}
  d: {url: "https://h/d"}
)";

RouteTable table(const std::string& cases) {
  return RouteTable::load(write_route_file("t.yaml", std::string(kChannels) + cases));
}

}  // namespace

namespace {

const std::string kDir = std::string(CMRELAY_SOURCE_DIR) + "/tests/route/flashduty/";

std::vector<std::string> check(const std::string& path, bool extensions = false) {
  std::vector<std::string> f;
  CHECK(check_routes(path, f, nullptr, extensions));
  return f;
}

}  // namespace

TEST_CASE("empty vals: IN never holds, NOTIN always holds") {
  RouteTable t = table(R"(
cases:
  - {if: [{key: labels.team, oper: IN, vals: []}], channels: [a], fallthrough: true}
  - {if: [{key: labels.team, oper: NOTIN, vals: []}], channels: [b], fallthrough: true}
)");
  CHECK(routed(t, make_event(Status::Info, "x", {{"team", "ops"}})) == V{"b"});
}

TEST_CASE("a missing label: IN is false, NOTIN is true; [\"*\"] tests presence") {
  RouteTable t = table(R"(
cases:
  - {if: [{key: labels.team, oper: IN, vals: ["/.*/", "*"]}], channels: [a], fallthrough: true}
  - {if: [{key: labels.team, oper: NOTIN, vals: [ops]}], channels: [b], fallthrough: true}
  - {if: [{key: labels.team, oper: NOTIN, vals: ["*"]}], channels: [c], fallthrough: true}
  - {if: [{key: labels.team, oper: IN, vals: ["num:lt:5"]}], channels: [d], fallthrough: true}
)");
  CHECK(routed(t, make_event(Status::Info, "x", {})) == V{"b", "c"});
  CHECK(routed(t, make_event(Status::Info, "x", {{"team", "ops"}})) == V{"a"});
  CHECK(routed(t, make_event(Status::Info, "x", {{"team", "dev"}})) == V{"a", "b"});
}

TEST_CASE("severity, title and description keys") {
  RouteTable t = table(R"(
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [a], fallthrough: true}
  - {if: [{key: title, oper: IN, vals: ["disk *"]}], channels: [b], fallthrough: true}
  - {if: [{key: description, oper: IN, vals: ["/^second line$/"]}], channels: [c], fallthrough: true}
)");
  Event e = make_event(Status::Critical, "disk full", {});
  CHECK(routed(t, e) == V{"a", "b"});
  e.description = "first line\nsecond line";
  CHECK(routed(t, e) == V{"a", "b"});  // ^ and $ anchor the whole text without (?m).
  e.description = "second line";
  e.status = Status::Warning;
  CHECK(routed(t, e) == V{"b", "c"});
}

TEST_CASE("conditions are ANDed; fallthrough false stops; default only when no case matched") {
  RouteTable t = table(R"(
cases:
  - name: both
    if:
      - {key: severity, oper: IN, vals: [Critical]}
      - {key: labels.team, oper: IN, vals: [dba]}
    channels: [a]
    fallthrough: false
  - name: dba
    if: [{key: labels.team, oper: IN, vals: [dba]}]
    channels: [b]
    fallthrough: true
  - name: any-critical
    if: [{key: severity, oper: IN, vals: [Critical]}]
    channels: [c]
default:
  channels: [d]
)");
  CHECK(routed(t, make_event(Status::Critical, "x", {{"team", "dba"}})) == V{"a"});
  CHECK(routed(t, make_event(Status::Warning, "x", {{"team", "dba"}})) ==
        V{"b"});  // Fell through, nothing else matched.
  CHECK(routed(t, make_event(Status::Critical, "x", {{"team", "ops"}})) == V{"c"});
  CHECK(routed(t, make_event(Status::Info, "x", {})) == V{"d"});
}

TEST_CASE("fallthrough defaults to false") {
  RouteTable t = table(R"(
cases:
  - {if: [], channels: [a]}
  - {channels: [b]}
)");
  CHECK(routed(t, make_event(Status::Info, "x", {})) == V{"a"});
}

TEST_CASE("the default applies when no case matched or the matched cases gave no channel (Flashduty)") {
  RouteTable t = table(R"(
cases:
  - {if: [{key: labels.env, oper: IN, vals: [test]}], channels: []}
  - {if: [{key: labels.env, oper: IN, vals: [test]}], channels: [a]}
default: {channels: [d]}
)");
  // The first case matched and stopped, but gave no channel: the default, not case 2.
  CHECK(routed(t, make_event(Status::Info, "x", {{"env", "test"}})) == V{"d"});
  CHECK(routed(t, make_event(Status::Info, "x", {{"env", "prod"}})) == V{"d"});
}

TEST_CASE("channels are de-duplicated in first-match order, and appended to out") {
  RouteTable t = table(R"(
cases:
  - {channels: [b, a, b], fallthrough: true}
  - {channels: [c, a], fallthrough: true}
  - {channel_from: labels.team, fallthrough: true}
)");
  CHECK(routed(t, make_event(Status::Info, "x", {{"team", "b"}})) == V{"b", "a", "c"});
  std::vector<const Channel*> out{&t.channels()[3]};
  t.route(make_event(Status::Info, "x", {}), out);
  REQUIRE(out.size() == 4);
  CHECK(out[0]->name == "d");
  CHECK(out[1]->name == "b");
}

TEST_CASE("name mapping: the label names the channel; one that names none goes to the default") {
  RouteTable t = table(R"(
cases:
  - {name: by-team, channel_from: labels.team}
  - {if: [{key: labels.team, oper: IN, vals: [nobody]}], channels: [c]}
default: {channels: [d]}
)");
  CHECK(routed(t, make_event(Status::Info, "x", {{"team", "b"}})) == V{"b"});
  // The case matched (it has no conditions) and stops; it gave no channel: the default.
  CHECK(routed(t, make_event(Status::Info, "x", {{"team", "nobody"}})) == V{"d"});
  CHECK(routed(t, make_event(Status::Info, "x", {{"team", "zzz"}})) == V{"d"});
  CHECK(routed(t, make_event(Status::Info, "x", {})) == V{"d"});
}

TEST_CASE("a recovery is routed as its alert: severity sees the alert's severity, status says resolved") {
  RouteTable t = table(R"(
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [a]}
  - {if: [{key: status, oper: IN, vals: [resolved]}], channels: [b]}
default: {channels: [c]}
)");
  Event firing = make_event(Status::Critical, "x", {});
  Event recovery = make_event(Status::Ok, "x", {});
  recovery.alert_severity = Status::Critical;
  CHECK(routed(t, firing) == V{"a"});
  CHECK(routed(t, recovery) == V{"a"});  // Not to c, where an Ok severity would have sent it.
  RouteExplanation why;
  t.explain(recovery, why);
  CHECK(why.severity == "Critical");
  // The body said nothing of its alert: severity is absent (IN fails), status still holds.
  recovery.alert_severity = Status::Ok;
  CHECK(routed(t, recovery) == V{"b"});
  t.explain(recovery, why);
  CHECK(why.severity.empty());
  recovery.alert_severity = Status::Warning;
  CHECK(routed(t, recovery) == V{"b"});
  CHECK(routed(t, make_event(Status::Warning, "x", {})) == V{"c"});
}

TEST_CASE("severity Ok never matches; status firing/resolved does") {
  RouteTable t = table(R"(
cases:
  - {if: [{key: severity, oper: IN, vals: [Ok]}], channels: [a]}
  - {if: [{key: status, oper: IN, vals: [firing]}], channels: [b]}
default: {channels: [c]}
)");
  Event recovery = make_event(Status::Ok, "x", {});
  recovery.alert_severity = Status::Info;
  CHECK(routed(t, recovery) == V{"c"});
  CHECK(routed(t, make_event(Status::Info, "x", {})) == V{"b"});
}

TEST_CASE("explain gives every verdict, the value seen, and agrees with route") {
  RouteTable t = table(R"(
cases:
  - name: first
    if:
      - {key: labels.team, oper: IN, vals: [dba]}
      - {key: labels.value, oper: IN, vals: ["num:gt:5"]}
    channels: [a]
  - {name: second, channels: [b]}
  - {name: third, channels: [c]}
)");
  Event e = make_event(Status::Info, "x", {{"team", "ops"}});
  RouteExplanation why;
  t.explain(e, why);
  REQUIRE(why.cases.size() == 3);
  CHECK(why.cases[0].name == "first");
  CHECK_FALSE(why.cases[0].matched);
  REQUIRE(why.cases[0].conditions.size() == 2);
  CHECK(why.cases[0].conditions[0].text == "labels.team IN [dba]");
  CHECK(why.cases[0].conditions[0].seen == "ops");
  CHECK_FALSE(why.cases[0].conditions[0].result);
  CHECK_FALSE(why.cases[0].conditions[1].present);
  CHECK(why.cases[1].matched);
  CHECK(why.cases[1].stopped);
  CHECK_FALSE(why.cases[2].reached);
  CHECK_FALSE(why.default_used);
  REQUIRE(why.channels.size() == 1);
  CHECK(why.channels[0]->name == "b");
  CHECK(routed(t, e) == V{"b"});
}

TEST_CASE("${VAR} expands in urls and header values; an undefined one names the variable") {
  ::setenv("CMRELAY_TEST_KEY", "s3cr3t", 1);
  ::setenv("CMRELAY_TEST_HOST", "hooks.example.com", 1);
  RouteTable t = RouteTable::load(write_route_file("env.yaml", R"(
channels:
  a:
    url: "https://${CMRELAY_TEST_HOST}/push?integration_key=${CMRELAY_TEST_KEY}"
    headers: {Authorization: "Bearer ${CMRELAY_TEST_KEY}", X-Team: ops}
    timeout: 1500ms
    id: 42
default: {channels: [a]}
)"));
  const Channel& a = t.channels().at(0);
  CHECK(a.url == "https://hooks.example.com/push?integration_key=s3cr3t");
  REQUIRE(a.headers.size() == 2);
  CHECK(a.headers[0] == std::pair<std::string, std::string>("Authorization", "Bearer s3cr3t"));
  CHECK(a.headers[1].second == "ops");
  CHECK(a.timeout == std::chrono::milliseconds(1500));
  CHECK(a.id == "42");

  ::unsetenv("CMRELAY_TEST_UNSET");
  std::string err = load_error("env2.yaml", R"(
channels:
  a: {url: "https://h/push?integration_key=${CMRELAY_TEST_KEY}", headers: {X-Key: "${CMRELAY_TEST_UNSET}"}}
default: {channels: [a]}
)");
  CHECK(err.find("env2.yaml:3: header X-Key of channel 'a': undefined environment variable ${CMRELAY_TEST_UNSET}") !=
        std::string::npos);
  CHECK(err.find("s3cr3t") == std::string::npos);
}

TEST_CASE("the severity section overrides the vendor table") {
  RouteTable t = table(R"(
severity:
  volcengine: {notice: Warning, Critical: Warning}
  alibaba: {info: Critical}
)");
  CHECK(t.severity().find(Vendor::Volcengine, "Notice") == Status::Warning);
  CHECK(t.severity().find(Vendor::Volcengine, "critical") == Status::Warning);
  CHECK(t.severity().find(Vendor::Volcengine, "warning") == Status::Warning);
  CHECK(t.severity().find(Vendor::Alibaba, "INFO") == Status::Critical);
  CHECK(RouteTable::load(write_route_file("plain.yaml", kChannels)).severity().find(Vendor::Volcengine, "notice") ==
        Status::Info);
}

TEST_CASE("YAML and JSON files give identical results") {
  const char* yaml = R"(# routes
channels:
  dba: {url: "https://h/dba", id: 3521074710131}
  ops: {url: "https://h/ops", id: 7}
  net: {url: "https://h/net"}
cases:
  - name: db
    if:
      - {key: labels.namespace, oper: IN, vals: [VCM_RDS_MySQL, "/^acs_rds/"]}
      - {key: severity, oper: NOTIN, vals: [Ok, Info]}
    channels: [dba]
    fallthrough: true
  - name: net
    if: [{key: labels.ip, oper: IN, vals: ["cidr:10.0.0.0/8", "cidr:fd00::/8"]}]
    channel_ids: [7]
    channels: [net]
  - {name: team, channel_from: labels.team}
default: {channel_ids: [7]}
)";
  const char* json = R"({
  "channels": {"dba": {"url": "https://h/dba", "id": 3521074710131},
               "ops": {"url": "https://h/ops", "id": "7"},
               "net": {"url": "https://h/net"}},
  "cases": [
    {"name": "db",
     "if": [{"key": "labels.namespace", "oper": "IN", "vals": ["VCM_RDS_MySQL", "/^acs_rds/"]},
            {"key": "severity", "oper": "NOTIN", "vals": ["Ok", "Info"]}],
     "channels": ["dba"], "fallthrough": true},
    {"name": "net", "if": [{"key": "labels.ip", "oper": "IN", "vals": ["cidr:10.0.0.0/8", "cidr:fd00::/8"]}],
     "channel_ids": [7], "channels": ["net"]},
    {"name": "team", "channel_from": "labels.team"}],
  "default": {"channel_ids": [7]}
})";
  RouteTable y = RouteTable::load(write_route_file("same.yaml", yaml));
  RouteTable j = RouteTable::load(write_route_file("same.json", json));
  RouteTable sniffed = RouteTable::load(write_route_file("same-routes", json));  // No extension: '{' decides.
  std::vector<Event> events = {
      make_event(Status::Critical, "x", {{"namespace", "VCM_RDS_MySQL"}, {"ip", "10.1.1.1"}}),
      make_event(Status::Warning, "x", {{"namespace", "acs_rds_dashboard"}, {"team", "net"}}),
      make_event(Status::Ok, "x", {{"namespace", "VCM_RDS_MySQL"}, {"ip", "fd00::2"}}),
      make_event(Status::Info, "x", {{"team", "dba"}}),
      make_event(Status::Info, "x", {}),
  };
  events[2].alert_severity = Status::Info;  // A recovery routes with its alert's severity.
  // A case's channels come before its channel_ids.
  std::vector<V> expected = {{"dba", "net", "ops"}, {"dba", "net"}, {"net", "ops"}, {"dba"}, {"ops"}};
  for (size_t i = 0; i < events.size(); ++i) {
    CAPTURE(i);
    CHECK(routed(y, events[i]) == expected[i]);
    CHECK(routed(j, events[i]) == expected[i]);
    CHECK(routed(sniffed, events[i]) == expected[i]);
  }
}

TEST_CASE("Flashduty's own route JSON is accepted as is, with channels declared by id") {
  RouteTable t = RouteTable::load(
      write_route_file("flashduty.json", R"({"cases":[{"if":[{"key":"severity","oper":"IN","vals":["Critical"]},
                 {"key":"labels.team","oper":"NOTIN","vals":["sre","platform"]}],
           "channel_ids":[3521074710131],"fallthrough":false}],
 "default":{"channel_ids":[3521074710132]},
 "channels": {"pager": {"url": "https://h/p", "id": 3521074710131}, "mail": {"url": "https://h/m", "id": 3521074710132}}}
)"));
  CHECK(routed(t, make_event(Status::Critical, "x", {{"team", "dba"}})) == V{"pager"});
  CHECK(routed(t, make_event(Status::Critical, "x", {{"team", "sre"}})) == V{"mail"});
  CHECK(load_error("fd.json", R"({"cases":[{"if":[],"channel_ids":[99]}]})") ==
        write_route_file("fd.json", "") + ":1: channel id 99 used by case 1 is not declared under channels (id: 99)");
}

TEST_CASE("regexes on one key are matched together, and past the set's size one by one") {
  std::string cases = "cases:\n";
  for (int i = 0; i < 300; ++i) {
    cases += "  - {if: [{key: title, oper: IN, vals: [\"/^t" + std::to_string(i) +
             "$/\", \"/^never/\"]}], channels: [" + std::string(i % 2 == 0 ? "a" : "b") + "]}\n";
  }
  cases += "  - {if: [{key: title, oper: NOTIN, vals: [\"/^t/\"]}], channels: [c]}\n";
  RouteTable t = table(cases);
  CHECK(routed(t, make_event(Status::Info, "t4", {})) == V{"a"});
  CHECK(routed(t, make_event(Status::Info, "t5", {})) == V{"b"});
  CHECK(routed(t, make_event(Status::Info, "t298", {})) == V{"a"});  // Its regex is past the set's 256.
  CHECK(routed(t, make_event(Status::Info, "t299", {})) == V{"b"});
  CHECK(routed(t, make_event(Status::Info, "t300", {})).empty());
  CHECK(routed(t, make_event(Status::Info, "x", {})) == V{"c"});
}

TEST_CASE("more keys than the per-event cache holds still route right") {
  std::string cases = "cases:\n";
  for (int i = 0; i < 70; ++i) {
    cases += "  - {if: [{key: labels.l" + std::to_string(i) +
             ", oper: IN, vals: [\"/^x/\", \"num:gt:5\"]}], channels: [" + std::string(i < 64 ? "a" : "b") + "]}\n";
  }
  RouteTable t = table(cases);
  CHECK(routed(t, make_event(Status::Info, "t", {{"l3", "xy"}})) == V{"a"});
  CHECK(routed(t, make_event(Status::Info, "t", {{"l66", "xy"}})) == V{"b"});
  CHECK(routed(t, make_event(Status::Info, "t", {{"l69", "6"}})) == V{"b"});
  CHECK(routed(t, make_event(Status::Info, "t", {{"l69", "y"}})).empty());
}

TEST_CASE("Flashduty /route/info: every case as Flashduty documents it") {
  RouteTable t = RouteTable::load(kDir + "channels.yaml");
  CHECK(t.case_count() == 5);
  // Case 1 (legacy key alert_severity means severity; NOTIN; stops).
  CHECK(routed(t, make_event(Status::Critical, "x", {{"team", "dba"}})) == V{"pager"});
  // ... the team is excluded: no case matches, the default.
  CHECK(routed(t, make_event(Status::Critical, "x", {{"team", "sre"}})) == V{"ops"});
  // Case 2 (incident_severity; name mapping): the label names the channel by its name.
  CHECK(routed(t, make_event(Status::Warning, "x", {{"team", "sre"}})) == V{"sre"});
  // ... a label naming no channel, or none at all: the case matched and stopped without a
  // channel, so the default (not case 3, which would match the title).
  CHECK(routed(t, make_event(Status::Warning, "disk full", {{"team", "nobody"}})) == V{"ops"});
  CHECK(routed(t, make_event(Status::Warning, "disk full", {})) == V{"ops"});
  // Case 3 falls through to case 4 (data_source_id is the map's): both add.
  CHECK(routed(t, make_event(Status::Info, "disk full on /data", {{"env", "prod"}})) == V{"storage", "prod"});
  // RE2's defaults: . does not match a newline.
  CHECK(routed(t, make_event(Status::Info, "disk\nfull", {})) == V{"ops"});
  // Case 5: a cidr, two channels.
  CHECK(routed(t, make_event(Status::Info, "x", {{"ip", "10.1.2.3"}})) == V{"netops", "storage"});
  // A recovery is routed as its alert: Critical, so case 1.
  Event recovery = make_event(Status::Ok, "x", {{"team", "dba"}});
  recovery.alert_severity = Status::Critical;
  CHECK(routed(t, recovery) == V{"pager"});
  // A clean Flashduty route has no extension to report.
  for (const std::string& f : check(kDir + "channels.yaml", true)) CHECK(f.find("extension") == std::string::npos);
}

TEST_CASE("Flashduty route: extensions are warnings naming the file and line") {
  std::string json = write_route_file("ext.json", R"({"integration_id": 1, "cases": [
  {"name": "named", "if": [{"key": "labels.x", "oper": "IN", "vals": ["a\\*b"]}], "channels": ["a"],
   "fallthrough": false},
  {"if": [{"key": "status", "oper": "IN", "vals": ["resolved"]}], "channel_ids": [2], "fallthrough": false}],
 "default": {"channel_ids": [2]}})");
  std::string map = write_route_file("ext.yaml",
                                     "flashduty_route: ext.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n"
                                     "  b: {id: 2, url: \"https://h/b\"}\nseverity:\n  alibaba: {p1: Critical}\n");
  std::vector<std::string> f = check(map);
  REQUIRE(f.size() == 5);
  CHECK(f[0] == map + ":5: warning: extension: the severity: table (Flashduty's route would not accept it)");
  CHECK(f[1] == json + ":2: warning: extension: a case name (Flashduty's route would not accept it)");
  CHECK(f[2] == json + ":2: warning: extension: a wildcard escape in 'a\\*b' (Flashduty's route would not accept it)");
  CHECK(f[3] == json + ":2: warning: extension: channels by name in named (Flashduty's route would not accept it)");
  CHECK(f[4] == json + ":4: warning: extension: the key status (Flashduty's route would not accept it)");
}

TEST_CASE("Flashduty route: what cannot be used is a load error naming the file it is in") {
  std::string json =
      write_route_file("bad.json", R"({"cases": [{"if": [], "routing_mode": "by_magic", "channel_ids": [9]}]})");
  std::string map =
      write_route_file("bad.yaml", "flashduty_route: bad.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n");
  CHECK(load_error("bad.yaml", "flashduty_route: bad.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n") ==
        json + ":1: channel id 9 used by case 1 is not declared under channels (id: 9)\n" + json +
            ":1: routing_mode must be standard or name_mapping, not 'by_magic'");
  std::string e = load_error("ds.yaml", "flashduty_route: ds.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n");
  CHECK(e.find("ds.yaml:1: flashduty_route ") != std::string::npos);
  CHECK(e.ends_with("/ds.json: cannot read: No such file or directory"));
  CHECK(load_error("mode.yaml", "flashduty_route: mode.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n")
            .find("cannot read") != std::string::npos);
  write_route_file("mode.json", R"({"cases": [{"if": [], "routing_mode": "by_magic", "channel_ids": [1]}]})");
  CHECK(load_error("mode.yaml", "flashduty_route: mode.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n")
            .ends_with("mode.json:1: routing_mode must be standard or name_mapping, not 'by_magic'"));
  write_route_file(
      "ds.json",
      R"({"cases": [{"if": [{"key": "data_source_id", "oper": "IN", "vals": ["5"]}], "channel_ids": [1]}]})");
  e = load_error("ds.yaml", "flashduty_route: ds.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n");
  CHECK(e.find("ds.json:1: data_source_id in case 1 compares the Flashduty integration an event came through") !=
        std::string::npos);
  // A Flashduty route given as the route file itself: what to do instead.
  e = load_error("alone.json", R"({"integration_id": 1, "cases": [], "default": {"channel_ids": [1]}})");
  CHECK(e.find(":1: a Flashduty route needs a channel map: a YAML file with flashduty_route:") != std::string::npos);
  // The API's error response is not a route.
  write_route_file("err.json", R"({"request_id": "r", "data": null, "error": {"code": "Unauthorized"}})");
  e = load_error("err.yaml", "flashduty_route: err.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n");
  CHECK(e.find("err.json:1: the Flashduty route is an API error response") != std::string::npos);
}
