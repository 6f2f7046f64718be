#include "input/form.h"

#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "support.h"
#include "text/percent.h"

using cmrelay::form::decode;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fields(std::string_view body) {
  Fields out;
  decode(body, [&](std::string_view n, std::string_view v) { out.emplace_back(std::string(n), std::string(v)); });
  return out;
}

std::string unescaped(std::string_view s) {
  std::string out;
  cmrelay::text::percent_decode(s, out);
  return out;
}

}  // namespace

// body_test.cpp covers the basics; these are the cases Alibaba's senders add.
TEST_CASE("form: escapes as threshold callbacks carry them") {
  CHECK(unescaped("%24Average%3E%3D90") == "$Average>=90");
  CHECK(unescaped("5%E5%88%86%E9%92%9F") == "5分钟");
  CHECK(unescaped("%7bA%7D") == "{A}");  // Either case of hex digit.
  CHECK(unescaped("20250615T224518.233+0800") == "20250615T224518.233 0800");
  CHECK(unescaped("%") == "%");
  CHECK(unescaped("50% of %2") == "50% of %2");
}

TEST_CASE("form: fields in order, empty values and names without '='") {
  CHECK(fields("a=1&b=&c") == Fields{{"a", "1"}, {"b", ""}, {"c", ""}});
  CHECK(fields("&&a=1&") == Fields{{"a", "1"}});
  CHECK(fields("x=a=b") == Fields{{"x", "a=b"}});
  CHECK(fields("=orphan&k=v") == Fields{{"k", "v"}});
}

TEST_CASE("form: a field without '=' reads as an empty string") {
  auto d = cmrelay::test::decode_form("alertState=ALERT&metricName=m&flag&ruleId=r");
  CHECK(d.format == "ali.threshold");
  CHECK(d.error.empty());
}

TEST_CASE("form: a body pasted unencoded from documentation") {
  auto f =
      fields("alertName=CPU high&dimensions={userId=1, instanceId=i-1}&expression=$Average>=95&unit=%&lastTime=2分钟");
  CHECK(f == Fields{{"alertName", "CPU high"},
                    {"dimensions", "{userId=1, instanceId=i-1}"},
                    {"expression", "$Average>=95"},
                    {"unit", "%"},
                    {"lastTime", "2分钟"}});
}

TEST_CASE("form: '&' inside an unencoded JSON or Java-map value does not split it") {
  CHECK(fields(R"(alert={"a":"x&y","b":{"c":"}&"}}&batchId=b-1)") ==
        Fields{{"alert", R"({"a":"x&y","b":{"c":"}&"}})"}, {"batchId", "b-1"}});
  CHECK(fields("dimensions={k=a&b}&x=1") == Fields{{"dimensions", "{k=a&b}"}, {"x", "1"}});
  // Brackets that never close: the value runs to the next '&' as usual.
  CHECK(fields("dimensions={k=1&x=2") == Fields{{"dimensions", "{k=1"}, {"x", "2"}});
}
