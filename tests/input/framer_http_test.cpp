// Broken captured requests are one rejection each, never split into many records or turned
// into an event; gzip and deflate bodies are decoded within --max-body.
#include <doctest/doctest.h>
#include <zlib.h>

#include "support.h"

using namespace cmrelay;
using test::frame;

namespace {

const std::string kBody = R"({"Type":"Event","Id":"e1","EventType":"x","Rules":[{"Level":"warning"}]})";
const std::string kNext = "POST /next HTTP/1.1\r\nContent-Length: 7\r\n\r\n{\"a\":1}";

// window_bits: 15 + 16 gzip, 15 zlib, -15 raw deflate.
std::string compress(const std::string& in, int window_bits) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string hex(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

std::string capture(const std::string& headers, const std::string& body) {
  return "POST /hook HTTP/1.1\r\nContent-Type: application/json\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("capture: conflicting Content-Length values reject the capture whole, to the next request") {
  const std::string broken =
      "POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 20\r\n\r\n{\"a\":1}\n{\"b\":2,\"c\":3}\n";
  auto r = frame(broken + kNext);
  REQUIRE(r.size() == 2);
  CHECK(r[0].error == "captured HTTP request: conflicting Content-Length values (7 and 20)");
  // What follows the headers is kept for the reject file; the headers never (credentials).
  CHECK(r[0].body == "{\"a\":1}\n{\"b\":2,\"c\":3}\n");
  CHECK(r[0].length == broken.size());
  CHECK(r[1].error.empty());
  CHECK(r[1].body == "{\"a\":1}");
  // One header with a list of differing values is the same conflict.
  auto list = frame("POST / HTTP/1.1\r\nContent-Length: 7, 8\r\n\r\n{\"a\":1}\n" + kBody + "\n");
  REQUIRE(list.size() == 1);
  CHECK(list[0].error.find("conflicting Content-Length values (7 and 8)") != std::string::npos);
}

TEST_CASE("capture: a bad chunk-size line is one rejection; the stream resumes after the last chunk") {
  std::string junk;
  for (int i = 0; i < 300; ++i) junk += "\"line" + std::to_string(i) + "\": 1,\r\n";
  const std::string broken =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\nzz\r\n" + junk + "0\r\n\r\n";
  auto r = frame(broken + kBody + "\n");
  REQUIRE(r.size() == 2);
  CHECK(r[0].error == "captured HTTP request: bad chunk size line");
  CHECK(r[0].body == "{\"a\"");  // What was de-chunked before the error.
  CHECK(r[0].length == broken.size());
  CHECK(r[1].body == kBody);
  // With no last chunk, it runs to the next request (never into it), or to the end.
  auto n = frame("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + junk + kNext);
  REQUIRE(n.size() == 2);
  CHECK(n[0].error == "captured HTTP request: bad chunk size line");
  CHECK(n[1].body == "{\"a\":1}");
  auto e = frame("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(5000, 'z') + "\r\n" + junk);
  REQUIRE(e.size() == 1);
  CHECK(e[0].error == "captured HTTP request: bad chunk size line");
}

TEST_CASE("capture: a header block over 64 KiB is one rejection, not one per line") {
  std::string headers;
  for (int i = 0; i < 1000; ++i) headers += "X-Pad-" + std::to_string(i) + ": " + std::string(90, 'p') + "\r\n";
  std::string pretty = "{\n";
  for (int i = 0; i < 200; ++i) pretty += "  \"k" + std::to_string(i) + "\": 1,\n";
  pretty += "  \"end\": 1\n}\n";
  const std::string broken = "POST / HTTP/1.1\r\n" + headers + "Content-Type: application/json\r\n\r\n" + pretty;
  auto r = frame(broken + kNext);
  REQUIRE(r.size() == 2);
  CHECK(r[0].error == "captured HTTP request: header block longer than 64 KiB");
  CHECK(r[0].length == broken.size());
  CHECK(r[1].body == "{\"a\":1}");
  // Over --max-body as well: nothing held, still one record.
  auto small = frame(broken + kNext, 1024);
  REQUIRE(small.size() == 2);
  CHECK(small[0].body.empty());
  CHECK(small[0].length == broken.size());
}

TEST_CASE("capture: an HTTP/2 request is one rejection, never converted") {
  const std::string h2 = "POST /hook HTTP/2\r\nhost: x\r\ncontent-type: application/json\r\n\r\n" + kBody + "\n";
  auto r = frame(h2 + h2 + "POST /hook HTTP/2.0\r\n\r\n" + kBody);
  REQUIRE(r.size() == 3);
  CHECK(r[0].error == "captured HTTP request: HTTP/2 request: only HTTP/1.x captures can be read");
  CHECK(r[0].body == kBody + "\n");  // Without its request line and headers.
  CHECK(r[1].error == r[0].error);
  CHECK(r[2].error.find("HTTP/2.0 request") != std::string::npos);
  // The HTTP/2 connection preface, binary frames and all.
  auto pri = frame(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04\0\0\0\0\0", 33) + "\n" + kNext);
  REQUIRE(pri.size() == 2);
  CHECK(pri[0].error.find("HTTP/2.0 request") != std::string::npos);
  CHECK(pri[1].body == "{\"a\":1}");
}

TEST_CASE("capture: gzip and deflate bodies are decoded") {
  for (auto [coding, bits] : {std::pair{"gzip", 31}, {"x-gzip", 31}, {"deflate", 15}, {"Deflate", -15}}) {
    CAPTURE(coding);
    auto r = frame(capture(std::string("Content-Encoding: ") + coding + "\r\n", compress(kBody, bits)) + "\n" + kNext);
    REQUIRE(r.size() == 2);
    CHECK(r[0].error.empty());
    CHECK(r[0].body == kBody);
    CHECK(r[0].kind == BodyKind::Json);
    CHECK(r[1].body == "{\"a\":1}");
  }
  // Chunked and gzip, as a transfer coding too; several gzip members.
  const std::string gz = compress(kBody, 31);
  auto c = frame("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + hex(gz.size()) + "\r\n" + gz +
                 "\r\n0\r\n\r\n");
  REQUIRE(c.size() == 1);
  CHECK(c[0].body == kBody);
  auto two = frame(capture("Content-Encoding: gzip\r\n", compress("{\"a\":", 31) + compress("1}", 31)));
  REQUIRE(two.size() == 1);
  CHECK(two[0].body == "{\"a\":1}");
  CHECK(frame(capture("Content-Encoding: identity\r\n", kBody))[0].body == kBody);
}

TEST_CASE("capture: a gzip bomb, bad compressed data, or an unknown coding is one plain rejection") {
  const std::string bomb = compress(std::string(16u << 20, '{'), 31);  // 16 MiB in ~16 KiB
  auto r = frame(capture("Content-Encoding: gzip\r\n", bomb) + kNext, 64u << 10);
  REQUIRE(r.size() == 2);
  CHECK(r[0].error == "captured HTTP request: gzip body decodes to more than the 65536-byte limit (--max-body)");
  CHECK(r[0].body == bomb);  // Kept as it came.
  CHECK(r[1].body == "{\"a\":1}");
  // Exactly the limit is fine.
  const std::string full = "{\"p\":\"" + std::string(1016, 'x') + "\"}";
  auto exact = frame(capture("Content-Encoding: gzip\r\n", compress(full, 31)), 1024);
  REQUIRE(exact.size() == 1);
  CHECK(exact[0].error.empty());
  CHECK(exact[0].body == full);

  auto bad = frame(capture("Content-Encoding: gzip\r\n", "not gzip at all") + kNext);
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].error.find("captured HTTP request: gzip: invalid compressed data") == 0);
  const std::string cut = compress(kBody, 31);
  auto truncated = frame(capture("Content-Encoding: gzip\r\n", cut.substr(0, cut.size() / 2)));
  CHECK(truncated[0].error == "captured HTTP request: gzip: the compressed data is truncated");
  auto trailing = frame(capture("Content-Encoding: deflate\r\n", compress(kBody, 15) + "xyz"));
  CHECK(trailing[0].error == "captured HTTP request: deflate: bytes after the end of the compressed data");

  auto br = frame(capture("Content-Encoding: br\r\n", "\x1b\x02") + kNext);
  REQUIRE(br.size() == 2);
  CHECK(br[0].error == "captured HTTP request: Content-Encoding 'br' is not supported (only gzip and deflate)");
  CHECK(br[0].body == "\x1b\x02");
  auto both = frame(capture("Content-Encoding: gzip, deflate\r\n", "x"));
  CHECK(both[0].error == "captured HTTP request: more than one Content-Encoding is not supported");
}
