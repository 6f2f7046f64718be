#include "json/parser.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay;

TEST_CASE("json parser: strict parsing with precise errors") {
  json::Parser p;
  std::string err;
  json::Value* v = p.parse("{\"a\":[1,2.5,\"x\"]}", err);
  REQUIRE(v != nullptr);
  CHECK((*v)["a"][1].GetDouble() == 2.5);

  CHECK(p.parse("{\"a\":1,}", err) == nullptr);
  CHECK(err == "invalid JSON at byte 7: Missing a name for object member.");
  CHECK(p.parse("{\"a\":1} x", err) == nullptr);
  CHECK(err.find("invalid JSON at byte 8") == 0);
  CHECK(p.parse("", err) == nullptr);
  CHECK(err == "empty body");
  CHECK(p.parse("{\"a\":\"\xC3\x28\"}", err) == nullptr);
  CHECK(err.find("invalid UTF-8 in a JSON string at byte") == 0);
  CHECK(p.parse("{\"a\":\"\xED\xA0\x80\"}", err) == nullptr);  // A surrogate in UTF-8.
}

TEST_CASE("json parser: nesting is capped, never recursing on hostile input") {
  json::Parser p;
  std::string err;
  std::string ok(json::kMaxDepth, '[');
  ok += std::string(json::kMaxDepth, ']');
  CHECK(p.parse(ok, err) != nullptr);
  std::string over = "[" + ok + "]";
  CHECK(p.parse(over, err) == nullptr);
  CHECK(err.find("JSON nested deeper than 200 levels") == 0);
  std::string hostile(200000, '[');
  CHECK(p.parse(hostile, err) == nullptr);
  CHECK(err.find("JSON nested deeper") == 0);
}

TEST_CASE("json parser: values parsed alongside the root share its lifetime") {
  json::Parser p;
  std::string err;
  json::Value* root = p.parse("{\"alert\":\"{\\\"k\\\":\\\"v\\\"}\"}", err);
  REQUIRE(root != nullptr);
  json::Value inner;
  REQUIRE(p.parse_more((*root)["alert"].GetString(), inner, err));
  CHECK(std::string(inner["k"].GetString()) == "v");
  (*root)["alert"] = inner;
  CHECK(std::string((*root)["alert"]["k"].GetString()) == "v");
  CHECK_FALSE(p.parse_more("{bad", inner, err));
  CHECK(err.find("invalid JSON at byte 1") == 0);
}

TEST_CASE("json parser: reused across many bodies") {
  json::Parser p;
  std::string err;
  for (int i = 0; i < 20000; ++i) {
    std::string body = "{\"n\":" + std::to_string(i) + ",\"s\":\"" + std::string(i % 300, 'x') + "\"}";
    json::Value* v = p.parse(body, err);
    REQUIRE(v != nullptr);
    REQUIRE((*v)["n"].GetInt() == i);
  }
  CHECK(json::to_string(*p.parse("{\"a\":[true,null]}", err)) == "{\"a\":[true,null]}");
}

TEST_CASE("json parser: says whether an object may hold a name twice") {
  json::Parser p;
  std::string err;
  auto may_repeat = [&](const std::string& text) {
    REQUIRE(p.parse(text, err) != nullptr);
    const bool parsed = p.names_may_repeat();
    // The in-place parse says the same of the same text.
    std::string scratch = text;
    size_t consumed = 0;
    REQUIRE(p.parse_first(text, scratch.data(), consumed) != nullptr);
    CHECK(p.names_may_repeat() == parsed);
    return parsed;
  };
  CHECK_FALSE(may_repeat(R"({"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"d":"a"})"));
  CHECK_FALSE(may_repeat(R"([{"x":1},{"x":2}])"));  // The same name in two objects is no repeat.
  CHECK(may_repeat(R"({"a":1,"a":2})"));
  CHECK(may_repeat(R"({"o":{"p":[{"k":1,"j":2,"k":3}]}})"));  // Deep inside.
  CHECK(may_repeat(R"({"k":{"z":1},"k":2})"));                // After a nested object closed.
  CHECK(may_repeat(R"({"a\/":1,"a/":2})"));                   // The same name once unescaped.
  // Every object in a body of many names with distinct texts: "may" is allowed (two names can
  // share a bit), "no" only when none repeats. Checked against the names themselves.
  std::string many = "{";
  for (int i = 0; i < 300; ++i) many += (i ? ",\"n" : "\"n") + std::to_string(i) + "\":1";
  many += "}";
  REQUIRE(p.parse(many, err) != nullptr);
  CHECK(p.names_may_repeat());  // 300 names cannot all have distinct bits out of 256.
  // A value parsed alongside (JSON inside a string) does not change what is said of the root.
  REQUIRE(p.parse(R"({"a":1})", err) != nullptr);
  json::Value inner;
  REQUIRE(p.parse_more(R"({"b":1,"b":2})", inner, err));
  CHECK_FALSE(p.names_may_repeat());
  // A failed parse leaves the conservative answer.
  CHECK(p.parse(R"({"a":1,"b":)", err) == nullptr);
  CHECK(p.names_may_repeat());
}

TEST_CASE("json: append writes compact JSON after what out holds, call after call") {
  json::Parser p;
  std::string err;
  std::string out = "x=";
  json::append(out, *p.parse(R"({"a": [1, 2.5, "\u00e9"], "b": {}})", err));
  CHECK(out == "x={\"a\":[1,2.5,\"\xC3\xA9\"],\"b\":{}}");
  // A value larger than the writer keeps room for, then small ones: nothing of it is left over.
  std::string large = "[\"" + std::string(100000, 'y') + "\"]";
  std::string written;
  json::append(written, *p.parse(large, err));
  CHECK(written == large);
  for (const char* text : {"{}", "[true,null]", R"({"k":"v"})"}) {
    std::string small;
    json::append(small, *p.parse(text, err));
    CHECK(small == text);
    CHECK(json::to_string(*p.parse(text, err)) == text);
  }
}
