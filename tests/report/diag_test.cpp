#include "report/diag.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support.h"

using namespace cmrelay;
using test::CaptureStderr;

TEST_CASE("diag: the line shapes, with what comes from input escaped") {
  std::string err;
  {
    CaptureStderr capture(err);
    diag::say("%llu of %d bodies rejected", 2ULL, 3);
    diag::record("in\x1b[2J.json", 7, "bad value \"a\nb\"");
    diag::Warnings warnings(false);
    warnings.once("in.json", 1, "odd\tthing");
    warnings.once("in.json", 2, "odd\tthing");  // Said once per run.
  }
  CHECK(err ==
        "cmrelay: 2 of 3 bodies rejected\n"
        "cmrelay: in\\x1b[2J.json:7: bad value \"a\\nb\"\n"
        "cmrelay: warning: in.json:1: odd\\tthing\n");
}

TEST_CASE("diag: with use_json every line is one JSON object of its kind") {
  std::string err;
  {
    CaptureStderr capture(err);
    diag::use_json(true);
    diag::say("%s", "a note");
    diag::say("warning: %s", "careful");
    diag::record("in\xff.json", 7, "bad value \"a\nb\"");
    diag::Warnings warnings(false);
    warnings.once("in.json", 1, "odd\tthing");
    diag::use_json(false);
  }
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = err.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(err.substr(at, nl - at));
  REQUIRE(lines.size() == 4);
  auto tail = [](const std::string& l) { return l.substr(l.find(",\"kind\"")); };  // After the time.
  CHECK(lines[0].starts_with("{\"time\":\"20"));
  CHECK(tail(lines[0]) == R"(,"kind":"message","message":"a note"})");
  CHECK(tail(lines[1]) == R"(,"kind":"warning","message":"careful"})");
  CHECK(tail(lines[2]) == R"(,"kind":"body","file":"in\\xff.json","record":"7","reason":"bad value \"a\\nb\""})");
  CHECK(tail(lines[3]) == R"(,"kind":"warning","file":"in.json","record":"1","message":"odd\\tthing"})");
}

TEST_CASE("diag: warnings are bounded and --quiet says none") {
  std::string err;
  {
    CaptureStderr capture(err);
    diag::Warnings quiet(true);
    quiet.once("a", 1, "x");
    diag::Warnings many(false);
    for (size_t i = 0; i < diag::Warnings::kMaxDistinct + 5; ++i) many.once("a", 1, std::to_string(i));
  }
  size_t lines = 0;
  for (char c : err) lines += c == '\n';
  CHECK(lines == diag::Warnings::kMaxDistinct + 1);
  CHECK(err.find("cmrelay: warning: 1000 distinct warnings said; further ones are not reported\n") !=
        std::string::npos);
  CHECK(err.find(":1: x\n") == std::string::npos);
}

TEST_CASE("diag: a budget says the first lines and counts the rest") {
  diag::Budget two(false, 2);
  CHECK(two.take());
  CHECK(two.take());
  CHECK(!two.take());
  CHECK(two.unsaid() == 1);
  diag::Budget quiet(true, 100);
  CHECK(!quiet.take());
  CHECK(quiet.unsaid() == 1);
}
