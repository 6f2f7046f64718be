// Flashduty's route JSON as Flashduty stores it (GET /route/info, written from its documented
// schema: tests/route/flashduty/route-info.json) with a channel map beside it routes as
// Flashduty documents, case by case.
#include <doctest/doctest.h>

#include "route/fixture.h"
#include "route/route.h"

using namespace cmrelay;
using cmrelay::test::load_error;
using cmrelay::test::make_event;
using cmrelay::test::routed;
using cmrelay::test::write_route_file;
using V = std::vector<std::string>;

namespace {

const std::string kDir = std::string(CMRELAY_SOURCE_DIR) + "/tests/route/flashduty/";

std::vector<std::string> check(const std::string& path, bool extensions = false) {
  std::vector<std::string> f;
  CHECK(check_routes(path, f, nullptr, extensions));
  return f;
}

}  // namespace

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
  std::string map = write_route_file("ext.yaml", "flashduty_route: ext.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n"
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
  std::string json = write_route_file("bad.json", R"({"cases": [{"if": [], "routing_mode": "by_magic", "channel_ids": [9]}]})");
  std::string map = write_route_file("bad.yaml", "flashduty_route: bad.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n");
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
  write_route_file("ds.json", R"({"cases": [{"if": [{"key": "data_source_id", "oper": "IN", "vals": ["5"]}], "channel_ids": [1]}]})");
  e = load_error("ds.yaml", "flashduty_route: ds.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n");
  CHECK(e.find("ds.json:1: data_source_id in case 1 compares the Flashduty integration an event came through") != std::string::npos);
  // A Flashduty route given as the route file itself: what to do instead.
  e = load_error("alone.json", R"({"integration_id": 1, "cases": [], "default": {"channel_ids": [1]}})");
  CHECK(e.find(":1: a Flashduty route needs a channel map: a YAML file with flashduty_route:") != std::string::npos);
  // The API's error response is not a route.
  write_route_file("err.json", R"({"request_id": "r", "data": null, "error": {"code": "Unauthorized"}})");
  e = load_error("err.yaml", "flashduty_route: err.json\nchannels:\n  a: {id: 1, url: \"https://h/a\"}\n");
  CHECK(e.find("err.json:1: the Flashduty route is an API error response") != std::string::npos);
}
