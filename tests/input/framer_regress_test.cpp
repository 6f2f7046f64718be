// Regressions: inputs a review of the framer found mis-framed, lost, slow or crashing.
#include <doctest/doctest.h>

#include "input/form.h"
#include "support.h"

using namespace cmrelay;
using test::frame;

namespace {

const std::string kBody = R"({"Type":"Event","Id":"e1","EventType":"x","Rules":[{"Level":"warning"}]})";

std::string body(int n) {
  std::string b = kBody;
  b.replace(b.find("e1"), 2, "n" + std::to_string(n));
  return b;
}

std::string hex(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

}  // namespace

TEST_CASE("regress: chunk sizes that would overflow are a bad chunk line, and the stream goes on") {
  for (const char* size : {"-1", "ffffffffffffffff", "0x10", "zz"}) {
    auto r = frame("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n" + std::string(size) +
                   "\r\nabc\r\n0\r\n\r\n" + body(1) + "\n");
    REQUIRE(r.size() >= 2);
    CHECK(r[0].error == "captured HTTP request: bad chunk size line");
    CHECK(r.back().body == body(1));
  }
}

TEST_CASE("regress: an oversized chunked body is skipped by its chunks, not by the buffer") {
  std::string req = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(2048, 'x') +
                    "\r\n0\r\n\r\n" + body(0) + "\n" + body(1) + "\n" + body(2) + "\n";
  auto r = frame(req, 1024);
  REQUIRE(r.size() == 4);
  CHECK(r[0].error.find("larger than the 1024-byte limit") != std::string::npos);
  CHECK(r[1].body == body(0));
  CHECK(r[3].body == body(2));
}

TEST_CASE("regress: a missing blank line after the last chunk does not eat the next bodies") {
  std::string req = "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\nContent-Type: application/json\r\n\r\n" +
                    hex(kBody.size()) + "\r\n" + kBody + "\r\n0\r\n" + body(2) + "\n" + body(3) + "\n";
  auto r = frame(req);
  REQUIRE(r.size() == 3);
  CHECK(r[0].body == kBody);
  CHECK(r[0].error.empty());
  CHECK(r[1].body == body(2));
  CHECK(r[2].body == body(3));
  // Real trailers are consumed.
  auto t = frame("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na=b\r\n0\r\nX-Sum: 1\r\n\r\n" + body(4));
  REQUIRE(t.size() == 2);
  CHECK(t[1].body == body(4));
}

TEST_CASE("regress: a body in many tiny chunks is de-chunked within the limit") {
  std::string json = "{\"pad\":\"" + std::string(600000, 'p') + "\"}";
  std::string req = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n";
  for (char c : json) req += "1\r\n" + std::string(1, c) + "\r\n";
  req += "0\r\n\r\n";
  auto r = frame(req, 1u << 20);
  REQUIRE(r.size() == 1);
  CHECK(r[0].error.empty());
  CHECK(r[0].body == json);
}

TEST_CASE("regress: form bodies full of unmatched braces decode in linear time") {
  std::string hostile;
  for (int i = 0; i < 500000; ++i) hostile += "a={&";
  size_t fields = 0;
  form::decode(hostile, [&](std::string_view, std::string_view v) {
    CHECK(v == "{");
    ++fields;
  });
  CHECK(fields == 500000);
}

TEST_CASE("regress: a lone surrogate escape is rejected, never printed as invalid UTF-8") {
  auto d = test::decode(R"({"Type":"Event","Id":"e\udc00","EventType":"x"})");
  CHECK(d.error.find("an escaped lone surrogate") != std::string::npos);
  // A correct pair is fine.
  auto ok = test::decode(R"({"Type":"Event","Id":"e\ud83d\udd25","EventType":"x"})");
  REQUIRE(ok.error.empty());
  CHECK(ok.events[0].alert_key == "volc.event/e\xF0\x9F\x94\xA5");
}

TEST_CASE("regress: NDJSON cut after ',' or a backslash does not swallow the next line") {
  auto a = frame("{\"Type\":\"Metric\",\"Resources\":[{\"Id\":\"a\"},\n" + body(1) + "\n" + body(2) + "\n");
  REQUIRE(a.size() == 3);
  CHECK(a[0].error.find("truncated JSON") != std::string::npos);
  CHECK(a[1].body == body(1));
  auto b = frame("{\"Type\":\"Event\",\"Detail\":\"{\\\"k\\\":\\\n" + body(1) + "\n" + body(2) + "\n");
  REQUIRE(b.size() == 3);
  CHECK(b[0].error.find("string is still open") != std::string::npos);
  CHECK(b[1].body == body(1));
  // Pretty-printed documents, even with zero indentation, still frame whole.
  auto p = frame("{\n\"a\": [\n{\n\"b\": 1\n}\n]\n}\n{\n\"c\": 2\n}\n");
  REQUIRE(p.size() == 2);
  CHECK(p[0].error.empty());
  CHECK(p[1].error.empty());
}

TEST_CASE("regress: an unclosed top-level array does not capture the form and HTTP lines after it") {
  auto r = frame("[{\"Type\":\"Metric\"},\nalertState=ALERT&x=1\nGET /hook?a=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(r.size() == 4);
  CHECK(r[0].error.empty());
  CHECK(r[1].error.find("never closed") != std::string::npos);
  CHECK(r[2].kind == BodyKind::Form);
  CHECK(r[2].body == "alertState=ALERT&x=1");
  CHECK(r[3].body == "a=1");
}

TEST_CASE("regress: a GET whose query is longer than 8 KiB is still a captured request") {
  std::string query = "data=" + std::string(20000, 'q');
  auto r = frame("GET /hook?" + query + " HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(r.size() == 1);
  CHECK(r[0].kind == BodyKind::Form);
  CHECK(r[0].body == query);
}

TEST_CASE("regress: no Content-Length and no final newline keeps the last line") {
  auto r = frame("POST /hook HTTP/1.1\r\nContent-Type: application/json\r\n\r\n" + kBody);
  REQUIRE(r.size() == 1);
  CHECK(r[0].error.empty());
  CHECK(r[0].body == kBody);
  // A long line without Content-Length is fine within the limit...
  std::string big = "{\"pad\":\"" + std::string(70000, 'p') + "\"}";
  auto l = frame("POST /hook HTTP/1.1\r\nContent-Type: application/json\r\n\r\n" + big + "\n");
  REQUIRE(l.size() == 1);
  CHECK(l[0].body == big + "\n");
  // ...and one oversize rejection beyond it, whatever its line structure.
  std::string pretty = "{\n";
  for (int i = 0; i < 100; ++i) pretty += "  \"k" + std::to_string(i) + "\": \"" + std::string(20, 'v') + "\",\n";
  pretty += "  \"end\": 1\n}\n";
  auto o = frame("POST /hook HTTP/1.1\r\n\r\n" + pretty + "POST /next HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":1}", 1024);
  REQUIRE(o.size() == 2);
  CHECK(o[0].error.find("larger than the 1024-byte limit") != std::string::npos);
  CHECK(o[1].body == "{\"a\":1}");
}

TEST_CASE("regress: header problems reject the whole request once; lenient where HTTP allows") {
  auto listed = frame("POST / HTTP/1.1\r\nContent-Length: 7, 7\r\n\r\n{\"a\":1}");
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].error.empty());
  CHECK(listed[0].body == "{\"a\":1}");
  auto differing = frame("POST / HTTP/1.1\r\nContent-Length: 7, 8\r\n\r\n{\"a\":1}");
  REQUIRE(differing.size() == 1);
  CHECK(differing[0].error == "captured HTTP request: conflicting Content-Length values (7 and 8)");
  auto malformed = frame("POST / HTTP/1.1\r\nContent-Length: 7\r\nno colon here\r\n\r\n{\"a\":1}\n" + kBody);
  REQUIRE(malformed.size() == 2);
  CHECK(malformed[0].error == "captured HTTP request: malformed header line (no ':')");
  CHECK(malformed[0].body == "{\"a\":1}");  // Kept for the reject file, not framed again.
  CHECK(malformed[1].body == kBody);
}

TEST_CASE("regress: a byte-order mark is skipped wherever a body starts") {
  auto r = frame("\xEF\xBB\xBF" + body(1) + "\n\xEF\xBB\xBF" + body(2) + "\n");
  REQUIRE(r.size() == 2);
  CHECK(r[1].body == body(2));
}

TEST_CASE("regress: truncated label keys never duplicate a key") {
  Event e;
  e.labels.add(std::string(130, 'A') + "1", "first");
  e.labels.add(std::string(130, 'A') + "2", "second");
  e.labels.add("z", "kept");
  enforce_limits(e);
  REQUIRE(e.labels.size() == 2);
  CHECK(e.labels[0].value == "first");
  CHECK(e.labels[1].key == "z");
}

TEST_CASE("regress: form brackets that balance but do not end the value stay linear") {
  std::string hostile = "alertState=ALERT&ruleId=r&";
  for (int i = 0; i < 200000; ++i) hostile += "a=[&";
  hostile += std::string(200000, ']') + "x";
  size_t fields = 0;
  form::decode(hostile, [&](std::string_view, std::string_view) { ++fields; });
  CHECK(fields == 200003);  // The two named, the 200,000 "a", and the "]]]...x" tail.
}

TEST_CASE("regress: a body with a huge number of fields labels in linear time, the drop counted") {
  Event e;
  for (int i = 0; i < 300000; ++i) e.labels.add("k" + std::to_string(i), "v");
  CHECK(e.labels.size() == Labels::kMaxHeld);
  std::string cut = enforce_limits(e);
  CHECK(cut.find("299950 labels dropped (50 max)") != std::string::npos);
  CHECK(e.labels.size() == 50);
  CHECK(e.labels[49].key == "k49");
}
