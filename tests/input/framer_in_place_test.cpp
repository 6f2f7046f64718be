// Framing and parsing in one pass (Framer::parse_in_place): the records are the same, byte
// for byte and reason for reason, as when every body is framed the long way; only the
// parsing moves.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support.h"

using namespace cmrelay;
using test::frame;

namespace {

// Streams whose every body the framer must decide alone, beside ones the parse may end.
std::vector<std::string> streams() {
  std::vector<std::string> s = {
      "{\"a\":1}\n{\"b\":[1,{}]}\r\n\n{\"c\":\"}{\\\"\"}\n",
      "{\"a\":1}{\"b\":2} {\"c\":3}x{\"d\":4}",
      "{\"a\":1} trailing words\n{\"b\":2}",
      // A cut NDJSON line: the next line's '{' in column 0 ends it.
      "{\"a\":1}\n{\"Type\":\"Metric\",\"R\":[{\"x\":1\n{\"b\":2}\n{\"c\":\"open\n{\"d\":4}\n",
      // Valid JSON with '{' or '[' opening a line inside: the framer's NDJSON rule cuts it.
      "{\"a\":\n{\"b\":1}}\n{\"c\":[\n[1]]}\n{\n\"d\":2}\n",
      "{\n  \"a\": {\n    \"x\": [1, 2]\n  }\n}\n{\n  \"b\": \"q\\\"}\"\n}",
      "\xEF\xBB\xBF{\"bom\":1}\x1e{\"rs\":2}\n",
      "{\"bad\":\"\xC3\x28\"}\n{\"lone\":\"\\udc00\"}\n{\"ok\":\"\\u00e9\"}\n",
      "{\"nul\":\"a\0b\"}\n{\"x\":1}\n" + std::string(3, '\0') + "{\"y\":2}",
      "[{\"a\":1},\n {\"b\":[1,{}]} , {\"c\":3}]\n{\"d\":4}",
      "{\"a\":1,}\n{\"b\":tru}\n{\"c\":1e}\n{}\n",
      "a=1&b=2\n{\"after\":\"form\"}\n",
      std::string(250, '[') + std::string(250, ']') + "\n{\"" + std::string(250, '{') + "\n{\"z\":1}",
      "{\"open\":[1,2\n",
  };
  // Too deep on one line, then a body after it.
  std::string deep = "{\"d\":";
  for (int i = 0; i < 300; ++i) deep += "{\"d\":";
  deep += "1" + std::string(301, '}') + "\n{\"after\":\"deep\"}\n";
  s.push_back(deep);
  // Bodies around the 1 KiB limit (tested with max_body 1024) and across the 1 MiB buffer.
  std::string sized;
  for (size_t n : {1000, 1012, 1013, 1014, 1100}) sized += "{\"p\":\"" + std::string(n - 8, 'x') + "\"}\n";
  s.push_back(sized);
  std::string big;
  for (int i = 0; big.size() < (3u << 20); ++i) {
    big += "{\"i\":" + std::to_string(i) + ",\"s\":\"" + std::string(static_cast<size_t>(i % 97) * 13, 'y') + "\"}\n";
  }
  big += "{\"huge\":\"" + std::string(2u << 20, 'h') + "\"}\n{\"end\":1}\n";
  s.push_back(big);
  return s;
}

}  // namespace

TEST_CASE("framer in place: the same records as framing alone, the valid bodies parsed") {
  for (size_t max_body : {Framer::kDefaultMaxBody, size_t{1024}}) {
    for (const std::string& bytes : streams()) {
      CAPTURE(max_body);
      CAPTURE(bytes.substr(0, 80));
      BodyReader reader;
      const auto alone = frame(bytes, max_body);
      const auto one_pass = frame(bytes, max_body, nullptr, &reader);
      REQUIRE(one_pass.size() == alone.size());
      for (size_t i = 0; i < alone.size(); ++i) {
        CAPTURE(i);
        CHECK_FALSE(alone[i].parsed);
        CHECK(one_pass[i].kind == alone[i].kind);
        CHECK(one_pass[i].body == alone[i].body);
        CHECK(one_pass[i].index == alone[i].index);
        CHECK(one_pass[i].offset == alone[i].offset);
        CHECK(one_pass[i].length == alone[i].length);
        CHECK(one_pass[i].error == alone[i].error);
        if (one_pass[i].parsed) CHECK(one_pass[i].error.empty());
      }
    }
  }
  // It is used: ordinary NDJSON and pretty documents are parsed while framed.
  BodyReader reader;
  for (const auto& r : frame("{\"a\":1}\n{\"b\":[1,{}]}\n{\n  \"c\": {\n    \"x\": 1\n  }\n}\n",
                             Framer::kDefaultMaxBody, nullptr, &reader)) {
    CHECK(r.parsed);
  }
  // Not a line inside opening with '{' (the framer decides), nor a body longer than the limit.
  CHECK_FALSE(frame("{\"a\":\n{\"b\":1}}", Framer::kDefaultMaxBody, nullptr, &reader)[0].parsed);
  CHECK_FALSE(frame("{\"p\":\"" + std::string(2000, 'x') + "\"}", 1024, nullptr, &reader)[0].parsed);
}

TEST_CASE("framer in place: read() gives the value the body parses to, duplicate keys resolved") {
  // Larger than the parse's pairwise watch: left to the walk, with a repeat and without.
  std::string big_object;
  for (int repeat = 0; repeat < 2; ++repeat) {
    big_object += "{";
    for (int i = 0; i < 40; ++i) big_object += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    big_object += repeat ? "\"k7\":0}\n" : "\"end\":0}\n";
  }
  // Escapes unescaped in situ ("\"", "\\", "\n"), beside one parsed again for its \u.
  const std::string bytes =
      "{\"a\":1,\"a\":2,\"b\":{\"c\":[1,2.5,\"\\u00e9\"]}}\n{\"n\":null}\n"
      "{\"q\\\"k\":\"x\\\"y\\\\z\\n\",\"e\":\"\",\"t\":\"tail\"}\n"
      // Keys repeated only across sibling objects; a repeat deep inside; escaped keys that
      // read the same as plain ones.
      "{\"r\":[{\"a\":1},{\"a\":2}],\"o\":{\"a\":{\"b\":1}},\"a\":{\"a\":3}}\n"
      "{\"x\":[{\"y\":{\"z\":1,\"w\":2,\"z\":3}}]}\n"
      "{\"k\":1,\"\\u006b\":2}\n{\"k\\\\\":1,\"k\\\\\":2}\n" +
      big_object + "a=1&a=2&data=x\n";
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), file);
  std::fflush(file);
  std::rewind(file);
  BodyReader in_place, alone;
  Framer f(::fileno(file), "test");
  f.parse_in_place(&in_place);
  Record rec;
  std::vector<bool> parsed;
  while (f.next(rec)) {
    parsed.push_back(rec.parsed);
    std::string e1, e2;
    json::Value* got = in_place.read(rec, e1);
    Record copy = rec;
    copy.parsed = false;
    json::Value* want = alone.read(copy, e2);
    REQUIRE(got != nullptr);
    REQUIRE(want != nullptr);
    CHECK(json::to_string(*got) == json::to_string(*want));
    CHECK(in_place.warning() == alone.warning());
  }
  std::fclose(file);
  CHECK(parsed == std::vector<bool>{true, true, true, true, true, true, true, true, true, false});
}

namespace {

// Counts what the parse reads, ended bodies or not.
struct Counting : Framer::InPlace {
  BodyReader reader;
  uint64_t read_total = 0;
  size_t parse_first(std::string_view bytes, char* scratch, size_t& read) override {
    const size_t n = reader.parse_first(bytes, scratch, read);
    read_total += read;
    return n;
  }
};

}  // namespace

TEST_CASE("framer in place: what the parse reads in vain is bounded by the stream's length") {
  // Cut lines whose next lines still read as JSON to a parse ('{' in the first column ends a
  // body for the framer only): unbounded, each one's parse would read 200 lines on.
  std::string bytes;
  for (int i = 0; i < 500; ++i) bytes += "{\"a\":\"" + std::string(4000, 'x') + "\",\"b\":\n";
  Counting counting;
  const auto records = frame(bytes, Framer::kDefaultMaxBody, nullptr, &counting);
  CHECK(records.size() == 500);
  const auto alone = frame(bytes);
  REQUIRE(alone.size() == records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].body == alone[i].body);
    CHECK(records[i].error == alone[i].error);
  }
  CHECK(counting.read_total <= bytes.size() + (1u << 20) + Framer::kDefaultMaxBody);
}

TEST_CASE("framer in place: the in-situ copy costs about one copy of the stream") {
  // Bodies the parse ends; bodies it refuses at once; cut lines it reads past in vain; and
  // the same under a small max_body. Copying the rest of the buffer again for each would be
  // quadratic (a 1 MiB copy per record).
  std::string bodies, refused, cut;
  for (int i = 0; i < 20000; ++i) bodies += "{\"i\":" + std::to_string(i) + ",\"s\":\"a\\\"b\"}\n";
  for (int i = 0; i < 100000; ++i) refused += "{x\n";
  // Each cut line's parse reads on into the next line (and rewrites it) before it fails.
  for (int i = 0; i < 50000; ++i) cut += "{\"a\":\"x\",\"b\":\n{\"c\":\"y\"} junk\n";
  for (size_t max_body : {Framer::kDefaultMaxBody, size_t{1024}}) {
    for (const std::string* bytes : {&bodies, &refused, &cut}) {
      CAPTURE(max_body);
      CAPTURE(bytes->substr(0, 40));
      std::FILE* file = std::tmpfile();
      REQUIRE(file != nullptr);
      std::fwrite(bytes->data(), 1, bytes->size(), file);
      std::fflush(file);
      std::rewind(file);
      BodyReader reader;
      Framer f(::fileno(file), "test", max_body);
      f.parse_in_place(&reader);
      Record rec;
      size_t records = 0;
      while (f.next(rec)) ++records;
      std::fclose(file);
      CHECK(records > 0);
      // Once each byte, plus what parses read in vain (bounded by the stream's length).
      CHECK(f.mirrored() <= 2 * bytes->size() + (2u << 20));
    }
  }
}
