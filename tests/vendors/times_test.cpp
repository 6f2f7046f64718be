#include "vendors/times.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "vendors/alibaba.h"

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

// format() spells the date out by hand; gmtime_r + strftime is the reference.
TEST_CASE("times: the readable form matches strftime for every era and offset") {
  const int64_t samples[] = {0,
                             -1,
                             59,
                             86399,
                             86400,
                             951782400 /* 2000-02-29 */,
                             4107542399 /* 2100-02-28 */,
                             -30610224000 /* 1000-01-01 */,
                             -30610224001,
                             253402300799 /* 9999-12-31 */,
                             253402300800,
                             1740878100,
                             -62135596800};
  const int offsets[] = {0, 480, -330, 845, -720};
  for (int64_t unix : samples) {
    for (int off : offsets) {
      times::Instant t{unix, off, off != 0};
      const int64_t local = unix + off * 60;
      time_t tt = static_cast<time_t>(local);
      struct tm tm {};
      gmtime_r(&tt, &tm);
      char buf[64];
      std::string want(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm));
      if (off == 0) {
        want += " UTC";
      } else {
        char o[32];
        std::snprintf(o, sizeof o, " UTC%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 60, std::abs(off) % 60);
        want += o;
      }
      CAPTURE(unix);
      CAPTURE(off);
      CHECK(times::format(t) == want);
    }
  }
}

// The forms times_test.cpp does not cover: no fraction, west of UTC, no offset, bad text.
TEST_CASE("times: Alibaba compact ISO 8601, the rarer forms") {
  const int64_t want = 1741930200;  // 2025-03-14 05:30:00 UTC
  CHECK(times::parse_compact_iso("20250314T133000+0800")->unix == want);
  CHECK(times::parse_compact_iso("20250314T003000.5-0500")->unix == want);
  CHECK(times::parse_compact_iso("20250314T133000 08:00")->unix == want);
  auto bare = times::parse_compact_iso("20250314T053000");
  REQUIRE(bare);
  CHECK(bare->unix == want);
  CHECK_FALSE(bare->has_offset);
  CHECK(times::format(*bare) == "2025-03-14 05:30:00 UTC");
  CHECK_FALSE(times::parse_compact_iso("2025-03-14 13:30:00"));
  CHECK_FALSE(times::parse_compact_iso("20251314T133000+0800"));
  CHECK_FALSE(times::parse_compact_iso("20250314T133000+08x"));
}

TEST_CASE("ali: ARNs and plain ids") {
  auto arn = ali::parse_arn("acs:ecs:cn-hangzhou:1270449913360928:instance/i-bp1xyz");
  CHECK(arn.product == "ecs");
  CHECK(arn.region == "cn-hangzhou");
  CHECK(arn.account == "1270449913360928");
  CHECK(arn.type == "instance");
  CHECK(arn.id == "i-bp1xyz");
  auto nested = ali::parse_arn("acs:oss:cn-beijing:1270449913360928:bucket/logs/2025/06");
  CHECK(nested.type == "bucket");
  CHECK(nested.id == "logs/2025/06");
  auto untyped = ali::parse_arn("acs:ecs::1270449913360928:i-bp1");
  CHECK(untyped.region.empty());
  CHECK(untyped.id == "i-bp1");
  CHECK(ali::parse_arn("i-bp1xyz").id == "i-bp1xyz");
  CHECK(ali::parse_arn("acs:ecs:cn-hangzhou").id == "acs:ecs:cn-hangzhou");
  CHECK(ali::parse_arn("acs:ecs:cn-hangzhou").region.empty());
}
