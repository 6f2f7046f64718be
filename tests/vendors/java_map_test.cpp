#include "vendors/java_map.h"

#include <doctest/doctest.h>

using cmrelay::java_map::Entry;
using cmrelay::java_map::parse;

namespace {

std::vector<Entry> ok(std::string_view text) {
  std::vector<Entry> out;
  std::string error;
  CHECK_MESSAGE(parse(text, out, error), error);
  CHECK(error.empty());
  return out;
}

std::string bad(std::string_view text) {
  std::vector<Entry> out;
  std::string error;
  CHECK_FALSE(parse(text, out, error));
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("java_map: the usual dimensions text") {
  auto m = ok("{userId=1270449913360928, instanceId=i-bp1g7k2m9x0c4v8n3q5w}");
  REQUIRE(m.size() == 2);
  CHECK(m[0] == Entry{"userId", "1270449913360928"});
  CHECK(m[1] == Entry{"instanceId", "i-bp1g7k2m9x0c4v8n3q5w"});
}

TEST_CASE("java_map: spaces around keys, values and braces are trimmed") {
  auto m = ok("  {  userId = 1 ,instanceId=  i-x  , device=/dev/vda1 }  ");
  REQUIRE(m.size() == 3);
  CHECK(m[0] == Entry{"userId", "1"});
  CHECK(m[1] == Entry{"instanceId", "i-x"});
  CHECK(m[2] == Entry{"device", "/dev/vda1"});
}

TEST_CASE("java_map: '=' inside a value stays in the value") {
  auto m = ok("{query=a=b=c, k=v}");
  REQUIRE(m.size() == 2);
  CHECK(m[0] == Entry{"query", "a=b=c"});
  CHECK(m[1] == Entry{"k", "v"});
}

TEST_CASE("java_map: nested braces and brackets are kept whole") {
  auto m = ok("{tags={env=prod, team=edge}, ports=[80, 443], instanceId=i-1}");
  REQUIRE(m.size() == 3);
  CHECK(m[0] == Entry{"tags", "{env=prod, team=edge}"});
  CHECK(m[1] == Entry{"ports", "[80, 443]"});
  CHECK(m[2] == Entry{"instanceId", "i-1"});
}

TEST_CASE("java_map: a comma piece without '=' belongs to the previous value") {
  auto m = ok("{zones=cn-hangzhou-h,cn-hangzhou-i , instanceId=i-1}");
  REQUIRE(m.size() == 2);
  CHECK(m[0] == Entry{"zones", "cn-hangzhou-h,cn-hangzhou-i"});
  CHECK(m[1] == Entry{"instanceId", "i-1"});
}

TEST_CASE("java_map: empty maps and missing outer braces") {
  CHECK(ok("{}").empty());
  CHECK(ok("{ }").empty());
  CHECK(ok("").empty());
  auto m = ok("userId=1, instanceId=i-1");
  REQUIRE(m.size() == 2);
  CHECK(m[1] == Entry{"instanceId", "i-1"});
  auto empty_value = ok("{a=, b=2}");
  REQUIRE(empty_value.size() == 2);
  CHECK(empty_value[0] == Entry{"a", ""});
}

TEST_CASE("java_map: malformed text is refused with a reason") {
  CHECK(bad("{userId=1, instanceId=i-1").find("unbalanced") != std::string::npos);
  CHECK(bad("{userId=1} trailing").find("after the closing brace") != std::string::npos);
  CHECK(bad("{just-text}").find("no '='") != std::string::npos);
  CHECK(bad("{=value}").find("no key") != std::string::npos);
  CHECK(bad("a=1, b=2}").find("unbalanced") != std::string::npos);
  CHECK(bad("{a={b=1}").find("unbalanced") != std::string::npos);
}

TEST_CASE("java_map: line breaks and other ASCII whitespace are trimmed like spaces") {
  auto m = ok("\r\n{userId=1,\n\tinstanceId=i-1\r\n}\n");
  REQUIRE(m.size() == 2);
  CHECK(m[0] == Entry{"userId", "1"});
  CHECK(m[1] == Entry{"instanceId", "i-1"});
  auto trailing = ok("{instanceId=i-1\n}\v\f");
  REQUIRE(trailing.size() == 1);
  CHECK(trailing[0] == Entry{"instanceId", "i-1"});
  auto joined = ok("{zones=a,b\r\n, k=v}");
  REQUIRE(joined.size() == 2);
  CHECK(joined[0] == Entry{"zones", "a,b"});
}
