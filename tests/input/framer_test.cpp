#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::frame;

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
  std::string req = "POST /hook HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nX-Volc-Trace-Id: t-1\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body + "\r\n";
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
    auto c = frame("POST / HTTP/1.1\nTransfer-Encoding: chunked\nContent-Type: application/x-www-form-urlencoded\n\n"
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
    std::string body = "{\"k\":\"" + std::string(pad, 'x') + "\\\"}]{[\\\\\",\"v\":\"" + std::string(40 - pad, 'y') + "\"}";
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
