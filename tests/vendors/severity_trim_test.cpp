// Severity levels padded with whitespace map like the bare level; a blank one is "no level".
#include <doctest/doctest.h>

#include "json/parser.h"
#include "vendors/common.h"
#include "vendors/severity.h"

using namespace cmrelay;

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
