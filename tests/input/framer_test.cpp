#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "input/form.h"
#include "support.h"

using namespace cmrelay;
using test::frame;

namespace {

struct Collect : Framer::Overflow {
  std::vector<uint64_t> passed;     // Record index at each passed_limit.
  std::vector<std::string> bodies;  // The bytes handed out for each.
  void passed_limit(const Record& rec) override {
    passed.push_back(rec.index);
    bodies.emplace_back();
  }
  void bytes(std::string_view part) override {
    REQUIRE_FALSE(bodies.empty());
    bodies.back().append(part);
  }
};

std::string big_json(size_t n) { return "{\"a\":\"" + std::string(n, 'x') + "\"}"; }

}  // namespace

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

TEST_CASE("framer: one JSON body, NDJSON, and concatenated pretty documents") {
  auto one = frame("{\"a\":1}");
  REQUIRE(one.size() == 1);
  CHECK(one[0].body == "{\"a\":1}");
  CHECK(one[0].kind == BodyKind::Json);
  CHECK(one[0].error.empty());

  auto nd = frame("{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":\"}{\"}\n");
  REQUIRE(nd.size() == 3);
  CHECK(nd[1].body == "{\"b\":2}");
  CHECK(nd[2].body == "{\"c\":\"}{\"}");
  CHECK(nd[2].index == 3);
  CHECK(nd[1].offset == 8);

  auto pretty = frame("{\n  \"a\": {\n    \"x\": [1, 2]\n  }\n}\n{\n  \"b\": \"q\\\"}\"\n}");
  REQUIRE(pretty.size() == 2);
  CHECK(pretty[0].error.empty());
  CHECK(pretty[1].body == "{\n  \"b\": \"q\\\"}\"\n}");
  // Documents glued together on one line.
  CHECK(frame("{\"a\":1}{\"b\":2}").size() == 2);
}

TEST_CASE("framer: a top-level array is a list of bodies") {
  auto r = frame("[{\"a\":1},\n {\"b\":[1,{}]} , {\"c\":3}]\n{\"d\":4}");
  REQUIRE(r.size() == 4);
  CHECK(r[0].body == "{\"a\":1}");
  CHECK(r[1].body == "{\"b\":[1,{}]}");
  CHECK(r[3].body == "{\"d\":4}");
  for (auto& x : r) CHECK(x.error.empty());

  auto scalars = frame("[1, \"x\", {\"a\":1}]");
  REQUIRE(scalars.size() == 3);
  CHECK(scalars[0].error == "array element is not an object");
  CHECK(scalars[1].error == "array element is not an object");
  CHECK(scalars[2].error.empty());

  // What cannot continue an array ends it, and is framed on its own.
  auto stray = frame("[}, ]\n{\"a\":1}");
  REQUIRE(stray.size() == 3);
  CHECK(stray[0].error == "truncated: the top-level JSON array is never closed with ']'");
  CHECK(stray[1].body == "}, ]");
  CHECK(stray[2].body == "{\"a\":1}");

  auto open = frame("[{\"a\":1}");
  REQUIRE(open.size() == 2);
  CHECK(open[1].error.find("never closed") != std::string::npos);
  CHECK(frame("[]").empty());
}

TEST_CASE("framer: a truncated NDJSON line does not swallow the lines after it") {
  auto r = frame("{\"a\":1}\n{\"Type\":\"Metric\",\"R\":[{\"x\":1\n{\"b\":2}\n{\"c\":\"open\n{\"d\":4}\n");
  REQUIRE(r.size() == 5);
  CHECK(r[0].error.empty());
  CHECK(r[1].error.find("truncated JSON") != std::string::npos);
  CHECK(r[2].body == "{\"b\":2}");
  CHECK(r[2].error.empty());
  CHECK(r[3].error.find("string is still open") != std::string::npos);
  CHECK(r[4].body == "{\"d\":4}");

  auto eof = frame("{\"a\":{\"b\":1}");
  REQUIRE(eof.size() == 1);
  CHECK(eof[0].error.find("input ends with 1 unclosed") != std::string::npos);
}

TEST_CASE("framer: form bodies are one per line") {
  auto r = frame("a=1&b=2\r\nalertName=x%20y&alertState=ALERT\n\n  c=3");
  REQUIRE(r.size() == 3);
  CHECK(r[0].kind == BodyKind::Form);
  CHECK(r[0].body == "a=1&b=2");
  CHECK(r[1].body == "alertName=x%20y&alertState=ALERT");
  CHECK(r[2].body == "c=3");
}

TEST_CASE("framer: a UTF-8 byte-order mark is skipped") {
  auto r = frame("\xEF\xBB\xBF{\"a\":1}");
  REQUIRE(r.size() == 1);
  CHECK(r[0].body == "{\"a\":1}");
}

TEST_CASE("framer: captured HTTP requests") {
  std::string body = "{\"Type\":\"Metric\"}";
  std::string req =
      "POST /hook HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nX-Volc-Trace-Id: t-1\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body + "\r\n";
  auto r = frame(req + req);
  REQUIRE(r.size() == 2);
  CHECK(r[0].body == body);
  CHECK(r[0].kind == BodyKind::Json);
  CHECK(r[0].content_type == "application/json");
  CHECK(r[0].header("x-volc-trace-id") == "t-1");  // Any header, by its lower-case name.
  CHECK(r[0].header("host") == "x");
  CHECK(r[0].header("content-length").empty());  // It framed the body: not handed on.
  CHECK(r[1].body == body);
  CHECK(r[1].offset == req.size());

  SUBCASE("chunked") {
    auto c = frame(
        "POST / HTTP/1.1\nTransfer-Encoding: chunked\nContent-Type: application/x-www-form-urlencoded\n\n"
        "4\r\na=1&\r\n3;ext=1\r\nb=2\r\n0\r\n\r\n{\"next\":1}");
    REQUIRE(c.size() == 2);
    CHECK(c[0].body == "a=1&b=2");
    CHECK(c[0].kind == BodyKind::Form);
    CHECK(c[1].body == "{\"next\":1}");
  }
  SUBCASE("GET query string is the form body") {
    auto g = frame("GET /hook?data=%7B%22a%22%3A1%7D HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(g.size() == 1);
    CHECK(g[0].kind == BodyKind::Form);
    CHECK(g[0].body == "data=%7B%22a%22%3A1%7D");
  }
  SUBCASE("no length: the body runs to the next request") {
    auto n = frame("POST /a HTTP/1.1\nContent-Type: application/json\n\n{\"a\":1}\nPOST /b HTTP/1.1\n\n{\"b\":2}\n");
    REQUIRE(n.size() == 2);
    CHECK(n[0].body == "{\"a\":1}\n");
    CHECK(n[1].body == "{\"b\":2}\n");
  }
  SUBCASE("content type sniffed when absent") {
    auto s = frame("POST / HTTP/1.1\nContent-Length: 3\n\na=b");
    REQUIRE(s.size() == 1);
    CHECK(s[0].kind == BodyKind::Form);
  }
  SUBCASE("truncated body") {
    auto t = frame("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"a\":1}");
    REQUIRE(t.size() == 1);
    CHECK(t[0].error == "captured HTTP request: truncated body: Content-Length is 100 but only 7 bytes follow");
  }
  SUBCASE("bad headers") {
    auto b = frame("POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n{}");
    REQUIRE(b.size() >= 1);
    CHECK(b[0].error.find("Content-Length is not a number") != std::string::npos);
    auto e = frame("POST / HTTP/1.1\r\nHost: x\r\n");
    REQUIRE(e.size() == 1);
    CHECK(e[0].error.find("ends inside the headers") != std::string::npos);
  }
}

TEST_CASE("framer: bodies longer than max_body are skipped without being held") {
  std::string big = "{\"a\":\"" + std::string(5000, 'x') + "\"}";
  auto r = frame("{\"first\":1}\n" + big + "\n{\"after\":2}\n" + std::string(3000, 'y') + "\n{\"z\":1}", 1024);
  REQUIRE(r.size() == 5);
  CHECK(r[0].error.empty());
  CHECK(r[1].error.find("larger than the 1024-byte limit") != std::string::npos);
  CHECK(r[1].body.empty());
  CHECK(r[1].length == big.size());
  CHECK(r[2].body == "{\"after\":2}");
  CHECK(r[3].error.find("larger than") != std::string::npos);
  CHECK(r[4].body == "{\"z\":1}");

  auto http = frame("POST / HTTP/1.1\r\nContent-Length: 4000\r\n\r\n" + std::string(4000, 'q') + "{\"n\":1}", 1024);
  REQUIRE(http.size() == 2);
  CHECK(http[0].error.find("larger than") != std::string::npos);
  CHECK(http[1].body == "{\"n\":1}");
}

TEST_CASE("framer: records across many buffer refills keep their bytes and offsets") {
  std::string stream;
  std::vector<uint64_t> offsets;
  for (int i = 0; i < 40000; ++i) {
    offsets.push_back(stream.size());
    stream += "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 97, 'p') + "\"}\n";
  }
  auto r = frame(stream);
  REQUIRE(r.size() == 40000);
  for (int i : {0, 1, 12345, 39999}) {
    CHECK(r[i].offset == offsets[i]);
    CHECK(r[i].body.find("\"n\":" + std::to_string(i) + ",") != std::string::npos);
    CHECK(r[i].index == static_cast<uint64_t>(i + 1));
  }
}

TEST_CASE("framer: hostile nesting neither crashes nor hangs") {
  std::string deep_array(200000, '[');
  deep_array += std::string(200000, ']');
  auto a = frame(deep_array);
  CHECK(a.size() == 1);  // The one element, itself an array: not a body.
  std::string deep_object;
  for (int i = 0; i < 200000; ++i) deep_object += "{\"a\":";
  deep_object += "1" + std::string(200000, '}');
  auto o = frame(deep_object);
  REQUIRE(o.size() == 1);
  CHECK(o[0].error.empty());  // Framed whole; the parser rejects the depth.
  CHECK(o[0].body.size() == deep_object.size());
}

TEST_CASE("framer: strings are skipped in blocks, yet every quote, escape and newline in them counts") {
  // Escapes and brackets inside strings at every position around 16-byte blocks.
  std::string stream;
  std::vector<std::string> bodies;
  for (size_t pad = 0; pad < 40; ++pad) {
    std::string body =
        "{\"k\":\"" + std::string(pad, 'x') + "\\\"}]{[\\\\\",\"v\":\"" + std::string(40 - pad, 'y') + "\"}";
    bodies.push_back(body);
    stream += body + "\n";
  }
  // A string broken by a newline is a truncated body; the next line still frames.
  stream += "{\"k\":\"" + std::string(33, 'z') + "\n{\"ok\":1}\n";
  auto recs = test::frame(stream);
  REQUIRE(recs.size() == bodies.size() + 2);
  for (size_t i = 0; i < bodies.size(); ++i) {
    CHECK(recs[i].error.empty());
    CHECK(recs[i].body == bodies[i]);
  }
  CHECK(recs[bodies.size()].error.find("a string is still open") != std::string::npos);
  CHECK(recs[bodies.size() + 1].body == "{\"ok\":1}");
  CHECK(recs[bodies.size() + 1].error.empty());
}

TEST_CASE("framer: a pasted Content-Type line and blank line above a body are one record") {
  const std::string in = "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n\r\na=1&b=2\nc=3\n";
  auto r = frame(in);
  REQUIRE(r.size() == 2);
  CHECK(r[0].kind == BodyKind::Form);
  CHECK(r[0].body == "a=1&b=2");
  CHECK(r[0].content_type == "application/x-www-form-urlencoded; charset=UTF-8");
  CHECK(r[0].offset == 0);
  CHECK(r[0].length == in.find("c=3"));
  CHECK(r[1].body == "c=3");
  // Above JSON too; without the blank line it is not a paste, and is framed as it stands.
  auto j = frame("content-type: application/json\n\n{\"a\":1}\n");
  REQUIRE(j.size() == 1);
  CHECK(j[0].kind == BodyKind::Json);
  CHECK(j[0].body == "{\"a\":1}");
  auto no_blank = frame("Content-Type: x\na=1\n");
  REQUIRE(no_blank.size() == 2);
  CHECK(no_blank[0].body == "Content-Type: x");
}

TEST_CASE("framer: a form split one field per line with leading '&' is one body") {
  const std::string in = "a=1\n&b=2\r\n&c={x=1, y=2}\nd=4\n";
  auto r = frame(in);
  REQUIRE(r.size() == 2);
  CHECK(r[0].kind == BodyKind::Form);
  CHECK(r[0].body == "a=1&b=2&c={x=1, y=2}");
  CHECK(r[0].length == in.find("d=4"));
  CHECK(r[1].body == "d=4");
  // A blank line ends the body: the '&' line after it is a body of its own.
  auto apart = frame("a=1\n\n&b=2\n");
  REQUIRE(apart.size() == 2);
  CHECK(apart[1].body == "&b=2");
}

TEST_CASE("framer: a form joined over '&' lines past --max-body is one oversize record") {
  std::string in = "a=1\n";
  for (int i = 0; i < 50; ++i) in += "&k" + std::to_string(i) + "=" + std::string(100, 'x') + "\n";
  in += "b=2\n";
  auto r = frame(in, 1024);
  REQUIRE(r.size() == 2);
  CHECK(r[0].error.find("larger than the 1024-byte limit") != std::string::npos);
  CHECK(r[0].length == in.find("b=2"));
  CHECK(r[1].body == "b=2");
}

TEST_CASE("overflow: every framing hands out an over-limit body whole, while holding none of it") {
  const std::string json = big_json(5000);
  const std::string line = "k=" + std::string(4000, 'v');
  const std::string http_body = big_json(3000);
  const std::string http =
      "POST /h HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(http_body.size()) +
      "\r\n\r\n" + http_body;
  const std::string chunk1 = big_json(700), chunk2 = std::string(900, ' ');
  auto hex = [](size_t n) {
    char b[16];
    std::snprintf(b, sizeof b, "%zx", n);
    return std::string(b);
  };
  const std::string chunked = "POST /h HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + hex(chunk1.size()) + "\r\n" +
                              chunk1 + "\r\n" + hex(chunk2.size()) + "\r\n" + chunk2 + "\r\n0\r\n\r\n";
  const std::string unsized_body = "a=" + std::string(3000, 'b') + "\n";
  const std::string unsized = "POST /h HTTP/1.1\r\nContent-Type: x\r\n\r\n" + unsized_body;
  Collect c;
  auto r =
      frame(json + "\n" + line + "\n{\"ok\":1}\n" + http + chunked + unsized + "POST /h HTTP/1.1\r\n\r\n{}", 1024, &c);
  REQUIRE(r.size() == 7);
  CHECK(r[2].body == "{\"ok\":1}");
  REQUIRE(c.passed == std::vector<uint64_t>{1, 2, 4, 5, 6});
  CHECK(c.bodies[0] == json);
  CHECK(c.bodies[1] == line);
  CHECK(c.bodies[2] == http_body);
  CHECK(c.bodies[3] == chunk1 + chunk2);
  CHECK(c.bodies[4] == unsized_body);
  for (size_t i : {0, 1, 3, 4, 5}) CHECK(r[i].error.find("larger than the 1024-byte limit") != std::string::npos);
}

TEST_CASE("overflow: a body within the limit is not handed out") {
  Collect c;
  auto r = frame("{\"a\":1}\n" + big_json(100), 1024, &c);
  CHECK(r.size() == 2);
  CHECK(c.passed.empty());
}

TEST_CASE("NUL runs: a record of their own, so the body after them is read") {
  Collect c;
  const std::string body = "{\"a\":1}";
  auto r = frame(std::string(3000, '\0') + body + "\n" + std::string(10, '\0'), 1024, &c);
  REQUIRE(r.size() == 3);
  CHECK(r[0].error == "3000 NUL bytes: not a body (padding, or a damaged file)");
  CHECK(r[0].length == 3000);
  CHECK(r[1].body == body);
  CHECK(r[1].error.empty());
  CHECK(r[2].length == 10);
  // Past the limit it is reported, with no bytes to keep.
  REQUIRE(c.passed == std::vector<uint64_t>{1});
  CHECK(c.bodies[0].empty());
}

TEST_CASE("stop: a set flag ends a regular file's stream before the next read") {
  char path[] = "/tmp/cmrelay-stop-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  const std::string big = big_json(3u << 20);  // Longer than one read.
  REQUIRE(::write(fd, big.data(), big.size()) == static_cast<ssize_t>(big.size()));
  ::lseek(fd, 0, SEEK_SET);
  std::atomic<bool> stop{false};
  struct StopAtLimit : Framer::Overflow {
    std::atomic<bool>* stop;
    size_t bytes_seen = 0;
    void passed_limit(const Record&) override { stop->store(true); }
    void bytes(std::string_view part) override { bytes_seen += part.size(); }
  } overflow;
  overflow.stop = &stop;
  Framer f(fd, "file", 1024, &stop, &overflow);
  Record rec;
  REQUIRE(f.next(rec));
  CHECK(f.stopped());
  CHECK(rec.length < big.size());  // Cut where it stopped, not read to the end.
  CHECK(overflow.bytes_seen == rec.length);
  CHECK_FALSE(f.next(rec));
  ::close(fd);
}

TEST_CASE("NUL runs: a body that breaks off at a NUL run does not swallow the body after it") {
  const std::string next = "{\"ok\":1}";
  for (size_t max : {size_t{1024}, Framer::kDefaultMaxBody}) {
    auto r = frame("{\"a\":\"xx" + std::string(3000, '\0') + next + "\n{\"b\":[1," + std::string(5, '\0') + next, max);
    REQUIRE(r.size() == 6);
    CHECK(r[0].error == "truncated JSON: the body breaks off at a NUL byte");
    CHECK(r[0].body == "{\"a\":\"xx");
    CHECK(r[1].length == 3000);
    CHECK(r[2].body == next);
    CHECK(r[3].error == "truncated JSON: the body breaks off at a NUL byte");
    CHECK(r[4].length == 5);
    CHECK(r[5].body == next);
  }
}

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
  auto o =
      frame("POST /hook HTTP/1.1\r\n\r\n" + pretty + "POST /next HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":1}", 1024);
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

// Issue 22, item 6: a documentation sample with a trailing comma was two records ("truncated
// JSON", then a stray '}'); it is one body, which the parser rejects with its reason and offset.
TEST_CASE("framer: a trailing comma before a closer at the start of a line is one body, not a cut one") {
  const std::string doc = test::source_file("tests/vendors/bodies/alibaba-doc-trailing-comma.json");
  auto r = frame(doc + body(1) + "\n");
  REQUIRE(r.size() == 2);
  CHECK(r[0].error.empty());
  CHECK(r[0].body == doc.substr(0, doc.rfind('}') + 1));
  CHECK(r[1].body == body(1));
  auto d = test::decode_json(r[0].body);
  CHECK(d.error == "invalid JSON at byte 496: Missing a name for object member.");
  // In an array too; a line that cannot continue the body still ends it.
  auto a = frame("{\"a\": [1,\n2,\n]\n}\n");
  REQUIRE(a.size() == 1);
  CHECK(a[0].error.empty());
  auto cut = frame("{\"a\": 1,\n{\"b\": 2}\n");
  REQUIRE(cut.size() == 2);
  CHECK(cut[0].error.find("truncated JSON") == 0);
}
