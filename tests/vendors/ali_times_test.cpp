#include <doctest/doctest.h>

#include "vendors/alibaba.h"
#include "vendors/times.h"

using namespace cmrelay;

TEST_CASE("times: Alibaba's compact ISO 8601 in every form it arrives") {
  auto full = times::parse_compact_iso("20250314T133000.120+0800");
  REQUIRE(full);
  CHECK(full->unix == 1741930200);
  CHECK(full->offset_minutes == 480);
  CHECK(times::format(*full) == "2025-03-14 13:30:00 UTC+08:00");
  // A '+' that form decoding turned into a space.
  auto spaced = times::parse_compact_iso("20250314T133000.120 0800");
  REQUIRE(spaced);
  CHECK(spaced->unix == full->unix);
  CHECK(times::parse_compact_iso("20250314T133000+0800")->unix == full->unix);   // No fraction.
  CHECK(times::parse_compact_iso("20250314T053000Z")->unix == full->unix);       // UTC.
  CHECK(times::parse_compact_iso("20250314T003000.5-0500")->unix == full->unix);  // West of UTC.
  CHECK(times::parse_compact_iso("20250314T053000")->unix == full->unix);        // No offset: UTC.
  CHECK_FALSE(times::parse_compact_iso("2025-03-14 13:30:00"));
  CHECK_FALSE(times::parse_compact_iso("20251314T133000+0800"));
  CHECK_FALSE(times::parse_compact_iso("20250314T133000+08x"));
}

TEST_CASE("times: Unix seconds or milliseconds") {
  CHECK(times::seconds_from_epoch(1508136760) == 1508136760);
  CHECK(times::seconds_from_epoch(1685646149981) == 1685646149);
  CHECK(times::seconds_from_epoch(1741929600000) == 1741929600);
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
