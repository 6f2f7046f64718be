#include "text/utf8.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay;

TEST_CASE("utf8: validation") {
  CHECK(utf8::valid("plain"));
  CHECK(utf8::valid("\xE5\xAE\x9E\xE4\xBE\x8B ID \xF0\x9F\x94\xA5"));
  CHECK(utf8::find_invalid("ab\xC3") == 2);            // Cut short.
  CHECK(utf8::find_invalid("a\xC0\xAF") == 1);         // Overlong.
  CHECK(utf8::find_invalid("\xED\xA0\x80") == 0);      // Surrogate.
  CHECK(utf8::find_invalid("\xF4\x90\x80\x80") == 0);  // Above U+10FFFF.
  CHECK(utf8::find_invalid("x\x80") == 1);             // Stray continuation.
  CHECK(utf8::length("a\xE5\xAE\x9E\xF0\x9F\x94\xA5") == 3);
}

TEST_CASE("utf8: truncation counts code points and never splits one") {
  std::string s = "\xE5\xAE\x9E\xE4\xBE\x8B\xE5\x90\x8D";  // Three CJK characters, 9 bytes.
  std::string t = s;
  CHECK_FALSE(utf8::truncate(t, 3));
  CHECK(t == s);
  CHECK(utf8::truncate(t, 2));
  CHECK(t == "\xE5\xAE\x9E\xE4\xBE\x8B");
  CHECK(utf8::valid(t));
  std::string ascii(600, 'a');
  CHECK(utf8::truncate(ascii, 512));
  CHECK(ascii.size() == 512);
  std::string emoji;
  for (int i = 0; i < 300; ++i) emoji += "\xF0\x9F\x94\xA5";
  CHECK(utf8::truncate(emoji, 255));
  CHECK(utf8::length(emoji) == 255);
  CHECK(emoji.size() == 255 * 4);
}

TEST_CASE("utf8: invalid bytes as \\xNN, all else kept") {
  CHECK(utf8::invalid_as_hex("plain \\ text") == "plain \\ text");
  CHECK(utf8::invalid_as_hex("\xE9\x87\x8D") == "\xE9\x87\x8D");
  CHECK(utf8::invalid_as_hex("a\xE9\x87 b") == "a\\xe9\\x87 b");  // A character cut in two.
  CHECK(utf8::invalid_as_hex("\xFF") == "\\xff");
  CHECK(utf8::valid(utf8::invalid_as_hex("\xC0\x80\xED\xA0\x80\xF4\x90\x80\x80")));  // Overlong, surrogate, too high.
}

TEST_CASE("utf8: as_valid hands valid text back uncopied, and the rest as \\xNN") {
  std::string scratch;
  const std::string_view ok = "caf\xC3\xA9";
  CHECK(utf8::as_valid(ok, scratch).data() == ok.data());
  CHECK(scratch.empty());
  CHECK(utf8::as_valid("a\xE9\x87 b", scratch) == "a\\xe9\\x87 b");
  CHECK(scratch == "a\\xe9\\x87 b");
}
