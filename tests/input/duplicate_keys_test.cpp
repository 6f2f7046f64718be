// Repeated JSON keys and form fields: the first one wins everywhere, with one warning.
#include <doctest/doctest.h>

#include <string>

#include "input/body.h"

using namespace cmrelay;

namespace {

std::string read(BodyReader& r, BodyKind kind, std::string_view body, std::string& warning) {
  Record rec;
  rec.kind = kind;
  rec.body = body;
  std::string error;
  json::Value* v = r.read(rec, error);
  REQUIRE(v != nullptr);
  warning = r.warning();
  return json::to_string(*v);
}

}  // namespace

TEST_CASE("duplicates: the first JSON key wins, at any depth, and is said once") {
  BodyReader r;
  std::string w;
  CHECK(read(r, BodyKind::Json, R"({"a":1,"b":2,"a":3,"c":{"x":1,"x":[{"y":1,"y":2}]}})", w) ==
        R"({"a":1,"b":2,"c":{"x":1}})");
  CHECK(w == "duplicate key 'a': the first one is used");  // One warning per body: the outermost.
  CHECK(read(r, BodyKind::Json, R"({"a":1,"b":2})", w) == R"({"a":1,"b":2})");
  CHECK(w.empty());
  // Many repeats of one key stay linear, and keep the first.
  std::string many = "{";
  for (int i = 0; i < 100000; ++i) many += "\"k\":" + std::to_string(i) + ",";
  many += "\"z\":0}";
  CHECK(read(r, BodyKind::Json, many, w) == R"({"k":0,"z":0})");
}

TEST_CASE("duplicates: the first form field wins, and is said") {
  BodyReader r;
  std::string w;
  CHECK(read(r, BodyKind::Form, "alertName=a&alertState=ALERT&alertName=b", w) ==
        R"({"alertName":"a","alertState":"ALERT"})");
  CHECK(w == "duplicate form field 'alertName': the first one is used");
}
