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
