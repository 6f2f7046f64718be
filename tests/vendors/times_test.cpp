#include <doctest/doctest.h>

#include "vendors/times.h"

using namespace cmrelay;

TEST_CASE("times: Volcengine local time with its offset") {
  auto t = times::parse_local_with_offset("2025-03-02 09:15:00(UTC+08:00)");
  REQUIRE(t);
  CHECK(t->unix == 1740878100);
  CHECK(t->offset_minutes == 480);
  CHECK(times::format(*t) == "2025-03-02 09:15:00 UTC+08:00");
  auto minus = times::parse_local_with_offset("2025-03-02 09:15:00 (UTC-05:30)");
  REQUIRE(minus);
  CHECK(minus->unix == 1740878100 + 8 * 3600 + 5 * 3600 + 1800);
  auto none = times::parse_local_with_offset("2025-03-02 01:15:00");
  REQUIRE(none);
  CHECK(none->unix == 1740878100);
  CHECK_FALSE(none->has_offset);
  auto iso = times::parse_local_with_offset("2025-06-17T06:05:00.250Z");
  REQUIRE(iso);
  CHECK(iso->unix == 1750140300);
  CHECK_FALSE(times::parse_local_with_offset("2025-13-02 09:15:00"));
  CHECK_FALSE(times::parse_local_with_offset("yesterday"));
  CHECK_FALSE(times::parse_local_with_offset("2025-03-02 09:15:00(UTC+99:00)"));
}

TEST_CASE("times: Alibaba compact ISO 8601") {
  auto t = times::parse_compact_iso("20250314T133000.120+0800");
  REQUIRE(t);
  CHECK(t->unix == 1741930200);
  CHECK(times::format(*t) == "2025-03-14 13:30:00 UTC+08:00");
  auto spaced = times::parse_compact_iso("20250314T133000.120 0800");  // '+' decoded as a space.
  REQUIRE(spaced);
  CHECK(spaced->unix == 1741930200);
  auto z = times::parse_compact_iso("20250314T053000Z");
  REQUIRE(z);
  CHECK(z->unix == 1741930200);
  CHECK_FALSE(times::parse_compact_iso("20250314 133000"));
}

TEST_CASE("times: seconds or milliseconds, and UTC display") {
  CHECK(times::seconds_from_epoch(1741929600000) == 1741929600);
  CHECK(times::seconds_from_epoch(1508136760) == 1508136760);
  CHECK(times::format_unix(1740878100) == "2025-03-02 01:15:00 UTC");
}
