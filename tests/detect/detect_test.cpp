#include <doctest/doctest.h>

#include "detect/detect.h"
#include "json/parser.h"

using namespace cmrelay;

namespace {

Detection run(const std::string& body, std::optional<Vendor> only = std::nullopt) {
  static json::Parser p;
  std::string err;
  json::Value* v = p.parse(body, err);
  REQUIRE(v != nullptr);
  return detect(*v, only);
}

}  // namespace

TEST_CASE("detect: Volcengine formats with the keys that decided them") {
  Detection m = run(R"({"Type":"Metric","RuleId":"1","Resources":[]})");
  REQUIRE(m.format);
  CHECK(m.format->id == "volc.metric");
  CHECK(m.evidence == "Type=Metric, RuleId, Resources");
  Detection r = run(R"({"RuleId":"1","RecoveredResources":[]})");
  REQUIRE(r.format);
  CHECK(r.evidence == "no Type, RuleId, RecoveredResources");
  Detection e = run(R"({"Type":"Event","EventType":"x","Rules":[]})");
  REQUIRE(e.format);
  CHECK(e.format->id == "volc.event");
  CHECK(e.evidence == "Type=Event, EventType, Rules");
}

TEST_CASE("detect: unknown shapes name what was seen; a forced vendor limits the formats") {
  Detection u = run(R"({"hello":1,"world":2})");
  CHECK(u.format == nullptr);
  CHECK(u.error == "unknown shape: no format matches keys hello, world");
  Detection arr = run("[1]");
  CHECK(arr.error == "unknown shape: the body is an array, not a JSON object");
  Detection forced = run(R"({"Type":"Metric","RuleId":"1","Resources":[]})", Vendor::Alibaba);
  CHECK(forced.format == nullptr);
  CHECK(forced.error.find("no alibaba format matches keys Type, RuleId, Resources") != std::string::npos);
  std::string many = "{";
  for (int i = 0; i < 20; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  many += "}";
  CHECK(run(many).error.find("k11, ... (8 more)") != std::string::npos);
}

TEST_CASE("detect: a value that reads ' and ' does not make a body ambiguous") {
  Detection d = run(R"({"Type":"Metric and more","RuleId":"1","Resources":[]})");
  REQUIRE(d.format);
  CHECK(d.format->id == "volc.metric");
}
