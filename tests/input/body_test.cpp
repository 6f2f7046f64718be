#include "input/body.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "input/form.h"

using namespace cmrelay;

namespace {

std::vector<std::pair<std::string, std::string>> fields(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  form::decode(body, [&](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
  return out;
}

json::Value* read(BodyReader& r, const std::string& body, BodyKind kind, std::string& err) {
  Record rec;
  rec.kind = kind;
  rec.body = body;
  return r.read(rec, err);
}

}  // namespace

TEST_CASE("form: percent escapes, '+' as space, lenient with what real senders paste") {
  auto f = fields("a=x%20y+z&b=%E4%BD%A0&empty=&flag&c=100%&d=%zz%4");
  REQUIRE(f.size() == 6);
  CHECK(f[0] == std::pair<std::string, std::string>{"a", "x y z"});
  CHECK(f[1].second == "\xE4\xBD\xA0");
  CHECK(f[2] == std::pair<std::string, std::string>{"empty", ""});
  CHECK(f[3] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(f[4].second == "100%");
  CHECK(f[5].second == "%zz%4");
}

TEST_CASE("form: unencoded braces keep '&' inside them") {
  auto f = fields("dimensions={userId=1, instanceId=i-1}&expression=$Average>=95&alert={\"a\":\"x&y\",\"b\":{}}&z=1");
  REQUIRE(f.size() == 4);
  CHECK(f[0].second == "{userId=1, instanceId=i-1}");
  CHECK(f[1].second == "$Average>=95");
  CHECK(f[2].second == "{\"a\":\"x&y\",\"b\":{}}");
  CHECK(f[3].second == "1");
  // Unbalanced: falls back to the next '&'.
  auto u = fields("a={x&b=2");
  REQUIRE(u.size() == 2);
  CHECK(u[0].second == "{x");
}

TEST_CASE("body: a form becomes an object of strings") {
  BodyReader r;
  std::string err;
  json::Value* v = read(r, "alertState=ALERT&curValue=97.5", BodyKind::Form, err);
  REQUIRE(v != nullptr);
  CHECK(std::string((*v)["alertState"].GetString()) == "ALERT");
  CHECK(std::string((*v)["curValue"].GetString()) == "97.5");
}

TEST_CASE("body: GET-style JSON in a data parameter is unwrapped") {
  BodyReader r;
  std::string err;
  json::Value* v = read(r, "data=%7B%22alert%22%3A%7B%22a%22%3A1%7D%2C%22batchId%22%3A%22b%22%7D", BodyKind::Form, err);
  REQUIRE(v != nullptr);
  CHECK((*v)["alert"]["a"].GetInt() == 1);
  CHECK(read(r, "data=%7Bbad", BodyKind::Form, err) == nullptr);
  CHECK(err.find("form field 'data': invalid JSON") == 0);
  // data that is not JSON stays a plain field.
  v = read(r, "data=hello", BodyKind::Form, err);
  REQUIRE(v != nullptr);
  CHECK(std::string((*v)["data"].GetString()) == "hello");
}

TEST_CASE("body: invalid UTF-8 after decoding and empty forms are rejected") {
  BodyReader r;
  std::string err;
  CHECK(read(r, "name=%FF%FE", BodyKind::Form, err) == nullptr);
  CHECK(err == "invalid UTF-8 in form field 'name' once decoded");
  CHECK(read(r, "&&", BodyKind::Form, err) == nullptr);
  CHECK(err == "empty body");
}

TEST_CASE("body: JSON sent as a form says so, not 'unknown shape'") {
  BodyReader r;
  std::string err;
  CHECK(read(r, " \n{\"RuleName\":\"cpu\",\"a\":1}", BodyKind::Form, err) == nullptr);
  CHECK(
      err.starts_with("the body was read as application/x-www-form-urlencoded (its Content-Type) but looks like JSON"));
  CHECK(read(r, "[{\"a\":1}]", BodyKind::Form, err) == nullptr);
  CHECK(err.find("looks like JSON") != std::string::npos);
  CHECK(read(r, "data={\"a\":1}", BodyKind::Form, err) != nullptr);  // A form field holding JSON is a form.
}

// Found by read_path_fuzz (UBSan): a field without '=' reached RapidJSON as a null pointer
// with length 0, which it passes to memcpy.
TEST_CASE("body: a form field without '=' becomes an empty string") {
  BodyReader r;
  std::string err;
  json::Value* v = read(r, "flag&a=1", BodyKind::Form, err);
  REQUIRE(v != nullptr);
  REQUIRE(v->HasMember("flag"));
  CHECK(std::string((*v)["flag"].GetString()).empty());
  CHECK(std::string((*v)["a"].GetString()) == "1");
}
