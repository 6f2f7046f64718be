// Issue 9: an over-limit body is handed out whole while it is skipped; NUL runs are records
// of their own; a stop flag ends the stream before the next read.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "support.h"

using namespace cmrelay;
using test::frame;

namespace {

// Keeps what the Framer hands out, per over-limit record.
struct Collect : Framer::Overflow {
  std::vector<uint64_t> passed;      // Record index at each passed_limit.
  std::vector<std::string> bodies;   // The bytes handed out for each.
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

TEST_CASE("overflow: every framing hands out an over-limit body whole, while holding none of it") {
  const std::string json = big_json(5000);
  const std::string line = "k=" + std::string(4000, 'v');
  const std::string http_body = big_json(3000);
  const std::string http = "POST /h HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(http_body.size()) + "\r\n\r\n" + http_body;
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
  auto r = frame(json + "\n" + line + "\n{\"ok\":1}\n" + http + chunked + unsized + "POST /h HTTP/1.1\r\n\r\n{}",
                 1024, &c);
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
