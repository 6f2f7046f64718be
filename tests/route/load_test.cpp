// Route file errors (load) and findings (check), each with its line.
#include <doctest/doctest.h>

#include <cstdlib>

#include "route/fixture.h"
#include "route/route.h"
#include "support.h"

using namespace cmrelay;
using cmrelay::test::load_error;
using cmrelay::test::write_route_file;

namespace {

// load_error without the "PATH:" prefix.
std::string error_of(const std::string& name, const std::string& text) {
  std::string e = load_error(name, text);
  std::string prefix = write_route_file(name, text) + ":";
  return e.starts_with(prefix) ? e.substr(prefix.size()) : e;
}

std::vector<std::string> findings_of(const std::string& text) {
  std::string path = write_route_file("check.yaml", text);
  std::vector<std::string> out;
  CHECK(check_routes(path, out));
  for (std::string& f : out) f = f.substr(path.size() + 1);
  return out;
}

}  // namespace

TEST_CASE("syntax errors give line and column, in YAML and JSON") {
  CHECK(error_of("s.yaml", "channels:\n  a: {url: \"https://h\"\ncases: [\n").starts_with("3:"));
  CHECK(error_of("s.yaml", "channels:\n  a: {url: \"https://h\"\ncases: [\n").find("syntax error at column") !=
        std::string::npos);
  CHECK(error_of("s.json", "{\n  \"cases\": [\n    {\"if\": [}\n  ]\n}\n") ==
        "3: syntax error at column 13: Invalid value.");
  CHECK(error_of("s2.json", "{\"cases\": []\n,}") == "2: syntax error at column 2: Missing a name for object member.");
}

TEST_CASE("load errors name the line") {
  const char* ch = "channels:\n  a: {url: \"https://h/a\"}\n";  // Lines 1-2.
  CHECK(error_of("e.yaml", std::string(ch) + "cases:\n  - {channels: [a], fallthru: true}\n") ==
        "4: unknown key 'fallthru' in case 1 (known: name, if, channels, channel_ids, channel_from, fallthrough)");
  CHECK(error_of("e.yaml", std::string(ch) + "routes: []\n") ==
        "3: unknown key 'routes' in the route file (known: channels, cases, default, severity)");
  CHECK(error_of("e.yaml", std::string(ch) + "cases:\n  - if:\n      - {key: severity, oper: EQ, vals: [Ok]}\n") ==
        "5: oper must be IN or NOTIN, not 'EQ'");
  CHECK(error_of("e.yaml", std::string(ch) + "cases:\n  - if:\n      - {key: team, oper: IN, vals: [Ok]}\n") ==
        "5: key must be severity, status, title, description or labels.<name>, not 'team'");
  CHECK(error_of(
            "e.yaml",
            std::string(ch) + "cases:\n  - if:\n      - key: title\n        oper: IN\n        vals: [ok, \"/(/\"]\n") ==
        "7: invalid regex /(/: missing ): (");
  CHECK(error_of("e.yaml",
                 std::string(ch) + "cases:\n  - if: [{key: labels.ip, oper: IN, vals: [\"cidr:1.2.3/8\"]}]\n") ==
        "4: malformed cidr: value 'cidr:1.2.3/8': '1.2.3' is not an IPv4 or IPv6 address");
  CHECK(error_of("e.yaml", std::string(ch) + "cases:\n  - if: [{key: labels.v, oper: IN, vals: [\"num:gt:x\"]}]\n") ==
        "4: malformed num: value 'num:gt:x' (expected num:gt|ge|lt|le:NUMBER)");
  CHECK(error_of("e.yaml", std::string(ch) + "cases:\n  - name: x\n    channels:\n      - a\n      - b\n") ==
        "7: channel 'b' used by x is not declared under channels");
  CHECK(error_of("e.yaml", "channels:\n  a: {url: \"ftp://h\"}\n") ==
        "2: url of channel 'a': ftp://h: only http and https are supported");
  CHECK(error_of("e.yaml", "channels:\n  a: {url: \"https://h\", timeout: soon}\n") ==
        "2: timeout of channel 'a': not a duration: 'soon' (a duration is a number and a unit: ms, s, m (or min), h or "
        "d, like 500ms, 5s, 1.5m or 1h; a bare number is seconds)");
  CHECK(error_of("e.yaml", "channels:\n  a: {url: \"https://h\", timeout: 0ms}\n") ==
        "2: timeout of channel 'a' must be longer than 0, not '0ms'");
  CHECK(error_of("e.yaml", "channels:\n  a: {url: \"https://h\", timeout: -5s}\n")
            .starts_with("2: timeout of channel 'a': a duration cannot be negative or signed, not '-5s'"));
  CHECK(error_of("e.yaml", std::string(ch) + "severity:\n  volcengine: {notice: Loud}\n") ==
        "4: severity.volcengine.notice must be Critical, Warning, Info or Ok");
  CHECK(error_of("e.yaml", std::string(ch) + "cases:\n  - {channel_from: team}\n") ==
        "4: channel_from of case 1 must be labels.<name>, not 'team'");
  CHECK(error_of("e.yaml", "") == "1: the route file is empty");
  CHECK(error_of("e.yaml", "channels:\ncases:\ndefault:\nseverity:\n").empty());  // Empty sections are allowed.
  CHECK(error_of("e.yaml", "cases: {a: 1}\n") == "1: cases must be a list, not a mapping");
  CHECK(error_of("e.yaml", std::string(ch) + "cases:\n  - name: x\n    channels: [a]\n    name: y\n") ==
        "6: key 'name' appears twice in x");
  CHECK(error_of("e.json", "{\"channels\": {\"a\": {\"url\": \"https://h/a\"}},\n \"channels\": {}}") ==
        "2: key 'channels' appears twice in the route file");
}

TEST_CASE("an unreadable file is a load error with no line") {
  CHECK_THROWS_WITH_AS(RouteTable::load("/nonexistent/routes.yaml"),
                       "/nonexistent/routes.yaml: cannot read: No such file or directory", RouteError);
  std::vector<std::string> f;
  CHECK_FALSE(check_routes("/nonexistent/routes.yaml", f));
}

TEST_CASE("check: unused channels, unreachable cases, conditions that never hold, in line order") {
  auto f = findings_of(R"(channels:
  a: {url: "https://h/a"}
  b: {url: "https://h/b"}
  c: {url: "https://h/c"}
cases:
  - name: crit
    if: [{key: severity, oper: IN, vals: [critical]}]
    channels: [a]
  - name: everything
    if: [{key: title, oper: IN, vals: ["*"]}]
    channels: [a]
  - name: late
    channels: [b]
default: {channels: [b]}
)");
  REQUIRE(f.size() == 5);
  CHECK(f[0].starts_with("4: warning: channel 'c' is declared but no case or default routes to it: only recoveries"));
  CHECK(f[1] == "7: severity is Critical, Warning or Info (case-sensitive): 'critical' in crit never matches");
  CHECK(f[2].starts_with(
      "10: warning: title IN [*] in everything reads a field that can differ between an alert and its recovery"));
  CHECK(f[3] == "12: late can never be reached: everything (line 9) matches every event and stops");
  CHECK(f[4] == "14: default is never used: everything (line 9) matches every event");
}

TEST_CASE("check: severity Ok and unknown status values never match; fields that differ on recovery are named") {
  auto f = findings_of(R"(channels:
  a: {url: "https://h/a"}
cases:
  - name: recoveries
    if: [{key: severity, oper: IN, vals: [Ok]}]
    channels: [a]
  - name: state
    if: [{key: status, oper: IN, vals: [resolved, Ok]}]
    channels: [a]
  - name: busy
    if:
      - {key: labels.current_value, oper: IN, vals: ["num:gt:90"]}
      - {key: labels.team, oper: IN, vals: [dba]}
      - {key: description, oper: IN, vals: ["/disk/"]}
    channels: [a]
)");
  REQUIRE(f.size() == 4);
  CHECK(f[0] ==
        "5: severity Ok in recoveries never matches: a recovery is routed with its alert's severity "
        "(route recoveries on purpose with key status, vals [resolved])");
  CHECK(f[1] == "8: status is firing or resolved: 'Ok' in state never matches");
  CHECK(f[2].starts_with("12: warning: labels.current_value IN [num:gt:90] in busy reads a field that can differ"));
  CHECK(f[3].starts_with("14: warning: description IN [/disk/] in busy reads a field that can differ"));
}

TEST_CASE("check: load errors and lint findings together; name mapping uses every channel") {
  auto f = findings_of(R"(channels:
  a: {url: "https://h/a"}
  b: {url: "https://h/b"}
cases:
  - {channel_from: labels.team, fallthrough: true}
  - if: [{key: labels.x, oper: IN, vals: []}, {key: labels.y, oper: NOTIN, vals: ["/[/"]}]
    channels: [zz]
)");
  REQUIRE(f.size() == 3);
  // On one line, load errors come before lint findings.
  CHECK(f[0].starts_with("6: invalid regex /[/: missing ]"));
  CHECK(f[1] == "6: labels.x IN [] in case 2 never holds: vals is empty");
  CHECK(f[2] == "7: channel 'zz' used by case 2 is not declared under channels");
  CHECK(findings_of("channels:\n  a: {url: \"https://h/a\"}\ndefault: {channels: [a]}\n").empty());
}

// Found by fuzzing the route loader: a JSON route file nested 100,000 deep overflowed the
// stack (RapidJSON's recursive reader, then the tree's destructor).
TEST_CASE("a deeply nested JSON route file is a syntax error, not a crash") {
  const std::string deep = "{\"cases\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK(error_of("deep.json", deep) == "1: syntax error at column 74: nested deeper than 64 levels");
}

TEST_CASE("YAML aliases cannot blow a small file up: the tree stops at 100000 nodes") {
  // Each level repeats the one before ten times: a8 alone would be 10^9 scalars.
  std::string bomb = "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n";
  for (int i = 1; i <= 8; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k > 0 ? "," : "") + prev;
    bomb += "]\n";
  }
  REQUIRE(bomb.size() < 500);
  std::string e = error_of("bomb.yaml", bomb);
  CHECK(e.ends_with(": route file too large (more than 100000 nodes; aliases?)"));
  CHECK(e.find_first_not_of("0123456789") > 0);  // Starts with a line number.
  std::vector<std::string> f = findings_of(bomb);
  REQUIRE(f.size() == 1);
  CHECK(f[0] == e);
  // An alias inside its own anchor is a cycle: stopped by the nesting limit.
  CHECK(error_of("cycle.yaml", "a: &a [*a]\n") == "1: route file nested too deeply (more than 1000 levels)");
  // A few aliases under the budget are fine.
  CHECK(error_of("alias.yaml", "channels:\n  a: &ch {url: \"https://h/a\"}\ndefault: {channels: [a]}\nx: *ch\n") ==
        "4: unknown key 'x' in the route file (known: channels, cases, default, severity)");
}

TEST_CASE("YAML: a second document is an error at its marker") {
  const char* ch = "channels:\n  a: {url: \"https://h/a\"}\ndefault: {channels: [a]}\n";  // Lines 1-3.
  CHECK(error_of("docs.yaml", std::string(ch) + "---\ncases: []\n") == "4: more than one YAML document");
  CHECK(error_of("docs.yaml", "---\n" + std::string(ch) + "---\ncases: []\n") == "5: more than one YAML document");
  CHECK(error_of("docs.yaml", std::string(ch) + "...\n---\n") == "5: more than one YAML document");
  CHECK(error_of("docs.yaml", "---\n" + std::string(ch)).empty());  // One document, with its marker.
  CHECK(error_of("docs.yaml", std::string(ch) + "...\n").empty());
}

TEST_CASE("channels: an empty url, an overflowing timeout, duplicate headers and ids") {
  const char* use = "default: {channels: [a]}\n";
  CHECK(error_of("c.yaml", std::string("channels:\n  a: {url: \"\"}\n") + use) == "2: url of channel 'a' is empty");
  setenv("CMRELAY_TEST_EMPTY", "", 1);
  CHECK(error_of("c.yaml", std::string("channels:\n  a: {url: \"${CMRELAY_TEST_EMPTY}\"}\n") + use) ==
        "2: url of channel 'a' is empty (after ${VAR} expansion)");
  unsetenv("CMRELAY_TEST_EMPTY");
  // An undefined variable is one error, not two.
  CHECK(findings_of(std::string("channels:\n  a: {url: \"${CMRELAY_TEST_UNSET}\"}\n") + use) ==
        std::vector<std::string>{"2: url of channel 'a': undefined environment variable ${CMRELAY_TEST_UNSET}"});
  for (const char* t : {"9223372036854775807m", "9223372036854775807s", "9223372036854775807", "9223372036854775807ms",
                        "99999999999999999999m", "1000000001", "11575d"}) {
    CAPTURE(t);
    CHECK(error_of("c.yaml", std::string("channels:\n  a: {url: \"https://h\", timeout: ") + t + "}\n" + use) ==
          std::string("2: timeout of channel 'a': a duration is at most 1000000000s (about 31 years), not '") + t +
              "'");
  }
  CHECK(error_of("c.yaml", std::string("channels:\n  a: {url: \"https://h\", timeout: 1000000000s}\n") + use).empty());
  CHECK(error_of("c.yaml", std::string("channels:\n  a: {url: \"https://h\", timeout: 16666666m}\n") + use).empty());
  CHECK(error_of("c.yaml", "channels:\n  a:\n    url: \"https://h\"\n    headers:\n      X-Team: a\n      x-team: b\n" +
                               std::string(use)) ==
        "6: header 'x-team' of channel 'a' is given twice (as 'X-Team' on line 5; header names ignore case)");
  CHECK(error_of("c.json",
                 "{\"channels\": {\"a\": {\"url\": \"https://h\",\n \"headers\": {\"A\": \"1\", \"A\": \"2\"}}},\n"
                 " \"default\": {\"channels\": [\"a\"]}}") ==
        "2: header 'A' of channel 'a' is given twice (as 'A' on line 2; header names ignore case)");
  // Ids are numbers: 05 and 5 are one id.
  CHECK(error_of("c.yaml",
                 "channels:\n  a: {url: \"https://h/a\", id: \"05\"}\n  b: {url: \"https://h/b\", id: 5}\n"
                 "default: {channels: [a, b]}\n") == "3: channel id 5 is used by 'a' too");
  RouteTable t = RouteTable::load(
      write_route_file("ids.yaml",
                       "channels:\n  a: {url: \"https://h/a\", id: \"007\"}\n  z: {url: \"https://h/z\", id: \"000\"}\n"
                       "cases:\n  - channel_ids: [\"07\", 0]\ndefault: {channel_ids: [7]}\n"));
  CHECK(t.channels()[0].id == "7");
  CHECK(t.channels()[1].id == "0");
  CHECK(test::routed(t, test::make_event(Status::Info, "x", {})) == std::vector<std::string>{"a", "z"});
  CHECK(error_of("c.yaml", "channels:\n  a: {url: \"https://h/a\"}\ndefault: {channels: [a], channel_ids: [\"\"]}\n") ==
        "3: channel id  used by default is not declared under channels (id: )");
}

TEST_CASE("severity: a vendor or a level given twice (in any case) is an error") {
  const char* ch = "channels:\n  a: {url: \"https://h/a\"}\ndefault: {channels: [a]}\n";  // Lines 1-3.
  CHECK(error_of("s.yaml",
                 std::string(ch) + "severity:\n  volcengine: {notice: Warning}\n  Volcengine: {notice: Ok}\n") ==
        "6: vendor 'Volcengine' appears twice in severity (line 5)");
  CHECK(error_of("s.json",
                 "{\"severity\": {\"alibaba\": {\"info\": \"Ok\"},\n \"alibaba\": {\"info\": \"Critical\"}}}") ==
        "2: vendor 'alibaba' appears twice in severity (line 1)");
  CHECK(error_of("s.yaml", std::string(ch) + "severity:\n  alibaba:\n    info: Ok\n    INFO: Critical\n") ==
        "7: level 'INFO' appears twice in severity.alibaba (line 6)");
}

TEST_CASE("check: a cidr: range with host bits set is a finding, and the file still loads") {
  const char* text = R"(channels:
  a: {url: "https://h/a"}
cases:
  - name: net
    if: [{key: labels.ip, oper: IN, vals: ["cidr:10.1.2.3/8", "cidr:10.0.0.0/8", "cidr:fd12::1/8"]}]
    channels: [a]
)";
  auto f = findings_of(text);
  REQUIRE(f.size() == 2);
  CHECK(f[0] == "5: 'cidr:10.1.2.3/8' in net has host bits set: it is the range 10.0.0.0/8");
  CHECK(f[1] == "5: 'cidr:fd12::1/8' in net has host bits set: it is the range fd00::/8");
  CHECK(error_of("hostbits.yaml", text).empty());
}

TEST_CASE("check: a non-finite num: threshold is an error") {
  auto f = findings_of(
      "channels:\n  a: {url: \"https://h/a\"}\ncases:\n  - if: [{key: labels.v, oper: IN, vals: [\"num:gt:nan\", "
      "\"num:lt:inf\", \"num:gt:1e400\"]}]\n    channels: [a]\n");
  REQUIRE(f.size() == 3);
  CHECK(f[0] == "4: malformed num: value 'num:gt:nan' (expected num:gt|ge|lt|le:NUMBER)");
  CHECK(f[1] == "4: malformed num: value 'num:lt:inf' (expected num:gt|ge|lt|le:NUMBER)");
  CHECK(f[2] == "4: malformed num: value 'num:gt:1e400' (expected num:gt|ge|lt|le:NUMBER)");
}

// Found by fuzzing the route loader: yaml-cpp's LoadAll ran away (memory without end) on this
// mangled route file; documents are now counted without building them.
TEST_CASE("a mangled YAML route file that made LoadAll run away loads at once") {
  std::string text =
      test::read_file(std::string(CMRELAY_SOURCE_DIR) + "/tests/fuzz/regressions/route_load_fuzz/yaml-loadall-runaway");
  CHECK(error_of("runaway.yaml", text) == "5: more than one YAML document");
}

TEST_CASE("a header value with CR, LF or NUL, literal or from ${VAR}, is refused at load and by check") {
  // In YAML's double quotes, \r\n is a real CR LF: the value would add an X-Admin header.
  const char* literal =
      "channels:\n  a:\n    url: \"https://h/a\"\n    headers: {X-Tag: \"v\\r\\nX-Admin: 1\"}\n"
      "default: {channels: [a]}\n";
  CHECK(error_of("h.yaml", literal) ==
        "4: header X-Tag of channel 'a' holds a control character (CR, LF, NUL...): it would end the header and add "
        "request headers of its own");
  ::setenv("CMRELAY_TEST_INJECT", "Bearer abc\r\nX-Admin: yes", 1);
  std::string from_env =
      "channels:\n  a:\n    url: \"https://h/a\"\n    headers:\n      Authorization: \"${CMRELAY_TEST_INJECT}\"\n"
      "default: {channels: [a]}\n";
  std::string e = error_of("h.yaml", from_env);
  CHECK(e ==
        "5: header Authorization of channel 'a' holds a control character (CR, LF, NUL...) after ${VAR} "
        "expansion: it would end the header and add request headers of its own");
  CHECK(e.find("Bearer") == std::string::npos);  // Never the value.
  auto f = findings_of(from_env);
  REQUIRE(f.size() == 1);
  CHECK(f[0] == e);
  ::unsetenv("CMRELAY_TEST_INJECT");
  CHECK(error_of("h.yaml",
                 "channels:\n  a:\n    url: \"https://h/a\"\n    headers: {X-Tab: \"a\\tb\"}\n"
                 "default: {channels: [a]}\n")
            .empty());  // A tab is allowed in a field value.
}

TEST_CASE("a header name that is not an HTTP token is refused at load and by check") {
  for (const char* name : {"\"X Tag\"", "\"X-Tag:\"", "\"X\\nY\"", "\"\"", "\"X\\u00e9\""}) {
    std::string file = std::string("channels:\n  a:\n    url: \"https://h/a\"\n    headers: {") + name +
                       ": v}\ndefault: {channels: [a]}\n";
    std::string e = error_of("n.yaml", file);
    CAPTURE(name);
    CHECK(e.starts_with("4: header name '"));
    CHECK(e.ends_with("' of channel 'a' is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"));
    CHECK(e.find('\n') == std::string::npos);
    CHECK(findings_of(file).size() == 1);
  }
  CHECK(error_of("n.yaml",
                 "channels:\n  a:\n    url: \"https://h/a\"\n    headers: {X-Api-Key_2.v~: v}\n"
                 "default: {channels: [a]}\n")
            .empty());
}

TEST_CASE("a channel's redact: query names and path, checked at load") {
  const char* ok =
      "channels:\n  a:\n    url: \"https://h/t/x?code=1\"\n    redact: {query: [code], path: true}\n"
      "default: {channels: [a]}\n";
  CHECK(error_of("r.yaml", ok).empty());
  RouteTable t = RouteTable::load(write_route_file("r.yaml", ok));
  REQUIRE(t.channels().size() == 1);
  CHECK(t.channels()[0].redact.query == std::vector<std::string>{"code"});
  CHECK(t.channels()[0].redact.path);
  CHECK(error_of("r.yaml", "channels:\n  a:\n    url: \"https://h/a\"\n    redact: {path: maybe}\n") ==
        "4: path of redact of channel 'a' must be true or false");
  CHECK(error_of("r.yaml", "channels:\n  a:\n    url: \"https://h/a\"\n    redact: {paths: true}\n") ==
        "4: unknown key 'paths' in redact of channel 'a' (known: query, path)");
  CHECK(error_of("r.yaml", "channels:\n  a:\n    url: \"https://h/a\"\n    redact: {query: code}\n") ==
        "4: query of redact of channel 'a' must be a list, not a value");
}

TEST_CASE("channels: timeout takes the command line's durations (1h, 2m, 1.5s, a bare number of seconds)") {
  const std::pair<const char*, int64_t> cases[] = {{"1h", 3600000}, {"2m", 120000}, {"2min", 120000}, {"1.5s", 1500},
                                                   {"500ms", 500},  {"10", 10000},  {"1H", 3600000}};
  for (const auto& [text, ms] : cases) {
    CAPTURE(text);
    RouteTable t = RouteTable::load(write_route_file(
        "timeout.yaml",
        std::string("channels:\n  a: {url: \"https://h\", timeout: ") + text + "}\ndefault: {channels: [a]}\n"));
    CHECK(t.channels().at(0).timeout == std::chrono::milliseconds(ms));
  }
}

TEST_CASE("load: every error of a route file, one line each, in line order") {
  const std::string text = R"(channels:
  a: {url: "https://h/a"}
cases:
  - if: [{key: title, oper: XIN, vals: [a]}]
    channels: [zz]
  - if: [{key: bogus, oper: IN, vals: [a]}]
    channels: [a]
)";
  const std::string path = write_route_file("all.yaml", text);
  CHECK(load_error("all.yaml", text) ==
        path + ":4: oper must be IN or NOTIN, not 'XIN'\n" + path +
            ":5: channel 'zz' used by case 1 is not declared under channels\n" + path +
            ":6: key must be severity, status, title, description or labels.<name>, not 'bogus'");
}

TEST_CASE("load: a condition without vals, or with a blank one, is an error, not a catch-all") {
  for (const char* cond : {"{key: severity, oper: NOTIN}", "{key: severity, oper: NOTIN, vals: }"}) {
    CAPTURE(cond);
    const std::string text = std::string(
                                 "channels:\n  a: {url: \"https://h/a\"}\n  b: {url: \"https://h/b\"}\ncases:\n"
                                 "  - if: [") +
                             cond +
                             "]\n    channels: [a]\n  - if: [{key: labels.team, oper: IN, vals: [x]}]\n"
                             "    channels: [b]\ndefault: {channels: [b]}\n";
    const std::string path = write_route_file("novals.yaml", text);
    CHECK(load_error("novals.yaml", text) ==
          path + ":5: a condition of case 1 needs key, oper and vals (vals: [] for an empty list)");
    std::vector<std::string> findings;
    CHECK(check_routes(path, findings));
    REQUIRE(findings.size() == 1);  // Not "case 2 can never be reached", not "default is never used".
    CHECK(findings[0] == path + ":5: a condition of case 1 needs key, oper and vals (vals: [] for an empty list)");
  }
}

TEST_CASE("load: a channel URL that send would refuse is refused when the file is loaded and checked") {
  for (auto [url, why] : {std::pair{"https://h:99999/x", "the port is not a number from 1 to 65535"},
                          {"https://h:0/x", "port 0 cannot be connected to"},
                          {"http://", "no host"},
                          {"https://exa mple.com/", "not a valid URL (at character 12)"},
                          {"https://[::1/x", "not a valid URL (at character 13)"}}) {
    CAPTURE(url);
    const std::string text = std::string("channels:\n  a: {url: \"") + url + "\"}\ndefault: {channels: [a]}\n";
    const std::string path = write_route_file("url.yaml", text);
    CHECK(load_error("url.yaml", text) == path + ":2: url of channel 'a': " + url + ": " + why);
    std::vector<std::string> findings;
    CHECK(check_routes(path, findings));
    CHECK(findings.size() == 1);
  }
  // The secret stays masked in the message.
  const std::string text = "channels:\n  a: {url: \"https://h:0/?integration_key=s3cret\"}\ndefault: {channels: [a]}\n";
  CHECK(load_error("secret.yaml", text).find("s3cret") == std::string::npos);
  CHECK(load_error("ok.yaml", "channels:\n  a: {url: \"HTTPS://h:65535/x\"}\ndefault: {channels: [a]}\n").empty());
}
