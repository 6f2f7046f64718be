// Severity levels: padded with whitespace they map like the bare level, a blank one is "no
// level"; a recovery carries the severity its alert fired with, so that routing sends it
// where the alert went.
#include "vendors/severity.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "json/parser.h"
#include "support.h"
#include "vendors/common.h"

using namespace cmrelay;

namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::string(CMRELAY_SOURCE_DIR) + "/samples/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("severity: surrounding whitespace is not part of the level") {
  SeverityTable t;
  CHECK(t.find(Vendor::Volcengine, " critical ") == Status::Critical);
  CHECK(t.find(Vendor::Alibaba, "\tWARN\r\n") == Status::Warning);
  CHECK_FALSE(t.find(Vendor::Volcengine, "crit ical"));
  t.set(Vendor::Volcengine, " fatal ", Status::Critical);  // A route file's padded key.
  CHECK(t.find(Vendor::Volcengine, "FATAL") == Status::Critical);

  json::Parser p;
  std::vector<std::string> warnings;
  Record rec;
  DecodeContext ctx{t, p, warnings, rec};
  CHECK(map_level(ctx, Vendor::Volcengine, "volc.metric", "  warning ") == Status::Warning);
  CHECK(warnings.empty());
  CHECK(map_level(ctx, Vendor::Volcengine, "volc.metric", "   ") == Status::Info);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "volc.metric bodies without a severity level are sent as Info");
}

TEST_CASE("recoveries carry their alert's severity; firing events leave it unset") {
  struct Row {
    const char* file;
    BodyKind kind;
    Status status;
    Status alert;
  };
  const Row rows[] = {
      {"volcengine/metric-recovered.json", BodyKind::Json, Status::Ok, Status::Critical},      // Level
      {"volcengine/nodata-recovered.json", BodyKind::Json, Status::Ok, Status::Warning},       // Level
      {"alibaba/threshold-cpu-ok.form", BodyKind::Form, Status::Ok, Status::Critical},         // preTriggerLevel
      {"alibaba/event-rds-resolved.json", BodyKind::Json, Status::Ok, Status::Critical},       // alert.severity
      {"alibaba/event-threshold-resolved.json", BodyKind::Json, Status::Ok, Status::Warning},  // alert.severity
      {"volcengine/metric-firing.json", BodyKind::Json, Status::Critical, Status::Ok},
  };
  for (const Row& r : rows) {
    CAPTURE(r.file);
    test::Decoded d = test::decode(sample(r.file), r.kind);
    REQUIRE(d.error == "");
    REQUIRE(d.events.size() == 1);
    CHECK(d.events[0].status == r.status);
    CHECK(d.events[0].alert_severity == r.alert);
  }
}

TEST_CASE("the route file's severity table maps a recovery's alert level too") {
  SeverityTable table;
  table.set(Vendor::Volcengine, "warning", Status::Info);
  test::Decoded d = test::decode(sample("volcengine/nodata-recovered.json"), BodyKind::Json, table);
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].alert_severity == Status::Info);
}
