#include <doctest/doctest.h>

#include "vendors/alibaba.h"
#include "vendors/times.h"

using namespace cmrelay;

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
