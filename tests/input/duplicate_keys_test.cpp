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

TEST_CASE("duplicates: objects of a few members and of many, names alike in length and first byte") {
  BodyReader r;
  std::string w;
  // Up to 32 members (checked by their bits, then pairwise) and beyond (sorted): every repeat
  // found, wherever it is. The first 26 names share one bit (length, first and last byte).
  for (int n : {2, 3, 15, 16, 17, 26, 31, 32, 33, 40, 70}) {
    CAPTURE(n);
    std::string distinct = "{", want = "{";
    for (int i = 0; i < n; ++i) {
      const std::string name = "k" + std::string(1, static_cast<char>('a' + i % 26)) + std::to_string(i / 26);
      distinct += (i ? "," : "") + ("\"" + name + "\":" + std::to_string(i));
    }
    distinct += "}";
    CHECK(read(r, BodyKind::Json, distinct, w) == distinct);
    CHECK(w.empty());
    // The last member repeats the first, and "" repeats "".
    std::string repeated = distinct.substr(0, distinct.size() - 1) + ",\"ka0\":99}";
    CHECK(read(r, BodyKind::Json, repeated, w) == distinct);
    CHECK(w == "duplicate key 'ka0': the first one is used");
    CHECK(read(r, BodyKind::Json, R"({"":1,"x":2,"":3})", w) == R"({"":1,"x":2})");
  }
}

TEST_CASE("duplicates: the first form field wins, and is said") {
  BodyReader r;
  std::string w;
  CHECK(read(r, BodyKind::Form, "alertName=a&alertState=ALERT&alertName=b", w) ==
        R"({"alertName":"a","alertState":"ALERT"})");
  CHECK(w == "duplicate form field 'alertName': the first one is used");
}
