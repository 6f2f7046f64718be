// A recovery carries the severity its alert fired with, so that routing sends it where the
// alert went (issue: recoveries routed as severity Ok stranded their alerts).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support.h"

using namespace cmrelay;

namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::string(CMRELAY_SOURCE_DIR) + "/samples/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("recoveries carry their alert's severity; firing events leave it unset") {
  struct Row {
    const char* file;
    BodyKind kind;
    Status status;
    Status alert;
  };
  const Row rows[] = {
      {"volcengine/metric-recovered.json", BodyKind::Json, Status::Ok, Status::Critical},        // Level
      {"volcengine/nodata-recovered.json", BodyKind::Json, Status::Ok, Status::Warning},         // Level
      {"alibaba/threshold-cpu-ok.form", BodyKind::Form, Status::Ok, Status::Critical},           // preTriggerLevel
      {"alibaba/event-rds-resolved.json", BodyKind::Json, Status::Ok, Status::Critical},         // alert.severity
      {"alibaba/event-threshold-resolved.json", BodyKind::Json, Status::Ok, Status::Warning},    // alert.severity
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
