// A route file's errors are all reported, in line order; a condition without vals is an
// error and never makes its case look like a catch-all.
#include <doctest/doctest.h>

#include "route/fixture.h"
#include "route/route.h"

using namespace cmrelay;
using cmrelay::test::load_error;
using cmrelay::test::write_route_file;

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
  CHECK(load_error("all.yaml", text) == path + ":4: oper must be IN or NOTIN, not 'XIN'\n" + path +
                                            ":5: channel 'zz' used by case 1 is not declared under channels\n" + path +
                                            ":6: key must be severity, status, title, description or labels.<name>, not 'bogus'");
}

TEST_CASE("load: a condition without vals, or with a blank one, is an error, not a catch-all") {
  for (const char* cond : {"{key: severity, oper: NOTIN}", "{key: severity, oper: NOTIN, vals: }"}) {
    CAPTURE(cond);
    const std::string text = std::string("channels:\n  a: {url: \"https://h/a\"}\n  b: {url: \"https://h/b\"}\ncases:\n"
                                         "  - if: [") + cond + "]\n    channels: [a]\n  - if: [{key: labels.team, oper: IN, vals: [x]}]\n"
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
