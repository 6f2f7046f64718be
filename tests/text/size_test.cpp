#include "text/size.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay;

namespace {

// Bytes, or -1 when refused (why then quotes the text).
int64_t bytes(std::string_view s, uint64_t min = 0, uint64_t max = UINT64_MAX) {
  std::string why;
  auto n = text::parse_size(s, why, min, max);
  if (!n) {
    CHECK(why.find("'" + std::string(s.substr(0, 3))) != std::string::npos);
    return -1;
  }
  CHECK(why.empty());
  return static_cast<int64_t>(*n);
}

std::string why_of(std::string_view s, uint64_t min = 0, uint64_t max = UINT64_MAX) {
  std::string why;
  CHECK_FALSE(text::parse_size(s, why, min, max));
  return why;
}

}  // namespace

TEST_CASE("size: bytes, k, m and g in any case, each 1024 of the one before") {
  CHECK(bytes("0") == 0);
  CHECK(bytes("512") == 512);
  CHECK(bytes("64k") == 64 * 1024);
  CHECK(bytes("64K") == 64 * 1024);
  CHECK(bytes("8m") == 8 << 20);
  CHECK(bytes("8M") == 8 << 20);
  CHECK(bytes("1g") == int64_t{1} << 30);
  CHECK(bytes("1024m") == int64_t{1} << 30);
  CHECK(bytes("007k") == 7 * 1024);
}

TEST_CASE("size: blanks around the whole and before the unit, as in a duration") {
  CHECK(bytes(" 8m ") == 8 << 20);
  CHECK(bytes("8 m") == 8 << 20);
  CHECK(bytes("\t512\n") == 512);
}

TEST_CASE("size: every other form is refused, with the grammar") {
  for (const char* s : {"8mb", "8MB", "1KiB", "1kb", "1t", "1b",    "1.5m", "0.5",   "1e3",   "-1",  "+1",
                        "-1k", "",    " ",    "k",   "m1", "1 k b", "0x10", "1_000", "1,000", "inf", "1k1"}) {
    CAPTURE(s);
    CHECK(bytes(s) == -1);
    CHECK(why_of(s).find("k = 1024, m = 1024k, g = 1024m") != std::string::npos);
  }
  CHECK(why_of("8mb") ==
        "not a size: '8mb' (a size is a whole number of bytes with an optional unit k, m or g (k = 1024, m = 1024k, "
        "g = 1024m), like 512, 64k or 8m)");
}

TEST_CASE("size: control characters in a refused text are escaped") {
  CHECK(why_of("8\x1bm").find("'8\\x1bm'") != std::string::npos);
}

TEST_CASE("size: the range, written in the grammar") {
  constexpr uint64_t k = 1024;
  CHECK(bytes("1k", k, k << 20) == 1024);
  CHECK(bytes("1024", k, k << 20) == 1024);
  CHECK(bytes("1g", k, k << 20) == int64_t{1} << 30);
  CHECK(why_of("1023", k, k << 20) == "a size from 1k to 1g, not '1023'");
  CHECK(why_of("0", k, k << 20) == "a size from 1k to 1g, not '0'");
  CHECK(why_of("1025m", k, k << 20) == "a size from 1k to 1g, not '1025m'");
  CHECK(why_of("2g", k, k << 20) == "a size from 1k to 1g, not '2g'");
  CHECK(why_of("512", k) == "a size of at least 1k, not '512'");
}

TEST_CASE("size: past 2^64 - 1 is refused, never wrapped") {
  std::string why;
  CHECK(text::parse_size("18446744073709551615", why) == UINT64_MAX);
  CHECK(why_of("18446744073709551616") == "a size is at most 18446744073709551615 bytes, not '18446744073709551616'");
  CHECK(why_of("99999999999999999999") == "a size is at most 18446744073709551615 bytes, not '99999999999999999999'");
  CHECK(why_of("17179869184g") == "a size is at most 18446744073709551615 bytes, not '17179869184g'");
  CHECK(text::parse_size("17179869183g", why) == uint64_t{17179869183} << 30);
  CHECK(why_of("99999999999999999999", 1024, 1 << 30) == "a size from 1k to 1g, not '99999999999999999999'");
}

TEST_CASE("size: format_size writes the largest exact unit") {
  CHECK(text::format_size(0) == "0");
  CHECK(text::format_size(1) == "1");
  CHECK(text::format_size(1024) == "1k");
  CHECK(text::format_size(1536) == "1536");
  CHECK(text::format_size(8 << 20) == "8m");
  CHECK(text::format_size(uint64_t{1} << 30) == "1g");
  CHECK(text::format_size(uint64_t{5} << 40) == "5120g");
  std::string why;
  for (uint64_t n : {uint64_t{0}, uint64_t{1023}, uint64_t{1} << 20, uint64_t{3} << 30, UINT64_MAX}) {
    CHECK(text::parse_size(text::format_size(n), why) == n);
  }
}
