#include "vendors/common.h"

#include <doctest/doctest.h>

#include "json/parser.h"
#include "vendors/fields.h"
#include "vendors/severity.h"

using namespace cmrelay;

TEST_CASE("severity: the documented tables, any case, and overrides") {
  SeverityTable t;
  CHECK(t.find(Vendor::Volcengine, "critical") == Status::Critical);
  CHECK(t.find(Vendor::Volcengine, "Warning") == Status::Warning);
  CHECK(t.find(Vendor::Volcengine, "NOTICE") == Status::Info);
  CHECK_FALSE(t.find(Vendor::Volcengine, "info"));
  CHECK(t.find(Vendor::Alibaba, "WARN") == Status::Warning);
  CHECK(t.find(Vendor::Alibaba, "warning") == Status::Warning);
  CHECK(t.find(Vendor::Alibaba, "Info") == Status::Info);
  CHECK_FALSE(t.find(Vendor::Alibaba, "notice"));
  t.set(Vendor::Volcengine, "Notice", Status::Warning);
  CHECK(t.find(Vendor::Volcengine, "notice") == Status::Warning);
  CHECK(parse_status("ok") == Status::Ok);
  CHECK_FALSE(parse_status("fatal"));
}

TEST_CASE("map_level: unknown levels are Info with a warning") {
  SeverityTable t;
  json::Parser p;
  std::vector<std::string> warnings;
  Record rec;
  DecodeContext ctx{t, p, warnings, rec};
  CHECK(map_level(ctx, Vendor::Volcengine, "volc.metric", "CRITICAL") == Status::Critical);
  CHECK(warnings.empty());
  CHECK(map_level(ctx, Vendor::Volcengine, "volc.metric", "fatal") == Status::Info);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "unknown volcengine severity 'fatal' is sent as Info (the original is in label vendor_severity)");
  CHECK(map_level(ctx, Vendor::Volcengine, "volc.metric", "") == Status::Info);
  CHECK(warnings.size() == 2);
}

TEST_CASE("alert_key: escaped parts never collide; long keys are hashed") {
  std::string a, b;
  make_alert_key(a, "volc.metric", {"r/1", "x"});
  make_alert_key(b, "volc.metric", {"r", "1/x"});
  CHECK(a == "volc.metric/r%2F1/x");
  CHECK(b == "volc.metric/r/1%2Fx");
  CHECK(a != b);
  std::string long_key;
  make_alert_key(long_key, "volc.metric", {std::string(300, 'r')});
  CHECK(long_key.size() == std::string("volc.metric/h/").size() + 16);
  CHECK(long_key.rfind("volc.metric/h/", 0) == 0);
  std::string again;
  make_alert_key(again, "volc.metric", {std::string(300, 'r')});
  CHECK(again == long_key);
  make_alert_key(again, "volc.metric", {std::string(299, 'r') + "s"});
  CHECK(again != long_key);
}

TEST_CASE("fields: tolerant scalars, precise type errors") {
  json::Parser p;
  std::string err;
  json::Value* v = p.parse(R"({"s":"97.5","n":97.5,"i":85,"b":true,"o":{},"a":[],"z":null,"big":1741929600000})", err);
  REQUIRE(v);
  CHECK(fields::text(*v, "s").view() == "97.5");
  CHECK(fields::text(*v, "n").view() == "97.5");
  CHECK(fields::text(*v, "i").view() == "85");
  CHECK(fields::text(*v, "b").view() == "true");
  CHECK(fields::text(*v, "z").empty());
  CHECK(fields::text(*v, "missing").empty());
  CHECK(fields::number(*v, "s") == 97.5);
  CHECK_FALSE(fields::number(*v, "z"));
  CHECK(fields::integer(*v, "big") == 1741929600000);
  CHECK_THROWS_WITH_AS(fields::text(*v, "o", "Resources[0]."), "field Resources[0].o: expected text, got an object",
                       DecodeError);
  CHECK_THROWS_WITH_AS(fields::array(*v, "o"), "field o: expected an array, got an object", DecodeError);
  CHECK_THROWS_AS(fields::number(*v, "a"), DecodeError);
  CHECK(fields::array(*v, "a") != nullptr);
  CHECK(fields::object(*v, "z") == nullptr);
}

TEST_CASE("fields: a name that differs in any one byte is another member, at every length") {
  // Names are compared a word at a time: a difference at the start, the middle or the end,
  // at lengths around 4, 8 and 16, must each keep the lookup from matching.
  json::Parser p;
  std::string err;
  for (size_t n = 1; n <= 20; ++n) {
    const std::string key(n, 'k');
    for (size_t at = 0; at < n; ++at) {
      std::string other = key;
      other[at] = 'x';
      // The near miss first: the lookup must step over it to the key.
      json::Value* v = p.parse(R"({")" + other + R"(":"no",")" + key + R"(":"yes"})", err);
      REQUIRE(v);
      CAPTURE(n);
      CAPTURE(at);
      CHECK(fields::text(*v, key).view() == "yes");
      CHECK(fields::text(*v, other).view() == "no");
      CHECK(fields::get(*v, key + "k") == nullptr);
    }
  }
}

TEST_CASE("alert_key: '/' and '%' escaped wherever they are in a part") {
  std::string k;
  make_alert_key(k, "f", {"%", "/a%b/", "", "plain"});
  CHECK(k == "f/%25/%2Fa%25b%2F//plain");
}

TEST_CASE("grouping labels: resource is the name, else the id; check as given") {
  cmrelay::Labels l;
  cmrelay::add_grouping_labels(l, "", "i-1", "cpu");
  CHECK(*l.find("resource") == "i-1");
  CHECK(*l.find("check") == "cpu");
  cmrelay::Labels named;
  cmrelay::add_grouping_labels(named, "web-1", "i-1", "");
  CHECK(*named.find("resource") == "web-1");
  CHECK(named.find("check") == nullptr);
}
