#include "text/escape.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "text/utf8.h"

using cmrelay::text::escape;
namespace text = cmrelay::text;

TEST_CASE("escape keeps printable text, any script, byte for byte") {
  CHECK(escape("plain ascii: {\"k\": 1} ~") == "plain ascii: {\"k\": 1} ~");
  CHECK(escape("\xE5\xAE\x9E\xE4\xBE\x8B \xF0\x9F\x94\xA5 caf\xC3\xA9") ==
        "\xE5\xAE\x9E\xE4\xBE\x8B \xF0\x9F\x94\xA5 caf\xC3\xA9");
  CHECK(escape("") == "");
}

TEST_CASE("escape writes controls as visible text: one input, one line") {
  CHECK(escape("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(escape("\x1b]0;pwn\x07") == "\\x1b]0;pwn\\x07");
  CHECK(escape(std::string("nul\0end", 7)) == "nul\\x00end");
  CHECK(escape("del\x7f") == "del\\x7f");
  CHECK(escape("back\\slash") == "back\\\\slash");  // The escaped text reads back unambiguously.
  CHECK(escape("x\ncmrelay: forged line").find('\n') == std::string::npos);
}

TEST_CASE("escape writes C1, bidi and line-separator code points as \\u{...}") {
  CHECK(escape("evil \xE2\x80\xAEtxt.exe") == "evil \\u{202e}txt.exe");  // RIGHT-TO-LEFT OVERRIDE
  CHECK(escape("\xE2\x81\xA6x\xE2\x81\xA9") == "\\u{2066}x\\u{2069}");   // isolates
  CHECK(escape("a\xE2\x80\xA8"
               "b") == "a\\u{2028}b");  // LINE SEPARATOR
  CHECK(escape("\xC2\x9B"
               "31m") == "\\u{9b}31m");    // C1 CSI
  CHECK(escape("\xC2\x85") == "\\u{85}");  // NEXT LINE
  CHECK(escape("\xEF\xBB\xBFx") == "\\u{feff}x");
}

TEST_CASE("escape writes invalid UTF-8 byte by byte, and its output is always valid UTF-8") {
  CHECK(escape("ab\xC3") == "ab\\xc3");
  CHECK(escape("a\xC0\xAF") == "a\\xc0\\xaf");         // Overlong.
  CHECK(escape("\xED\xA0\x80") == "\\xed\\xa0\\x80");  // Surrogate.
  CHECK(escape("\xFF\xFEz") == "\\xff\\xfez");
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string e = escape(all + all);
  CHECK(cmrelay::utf8::valid(e));
  CHECK(std::all_of(e.begin(), e.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; }));
}

TEST_CASE("unescape reads back every escape escape() writes") {
  const std::string samples[] = {"plain",       "tab\there",         "line\nbreak\r",         "esc\x1b[2J",
                                 "back\\slash", "bad \xff\xfe utf8", "bidi \u202e rlo",       "c1 \u0085 nel",
                                 "bom \ufeff",  "中文 ok",           std::string("nul\0x", 5)};
  for (const std::string& s : samples) {
    const std::optional<std::string> back = text::unescape(text::escape(s));
    REQUIRE(back.has_value());
    CHECK(*back == s);
  }
  CHECK_FALSE(text::unescape("trailing\\").has_value());
  CHECK_FALSE(text::unescape("\\q").has_value());
  CHECK_FALSE(text::unescape("\\xZZ").has_value());
  CHECK_FALSE(text::unescape("\\u{110000}").has_value());
  CHECK_FALSE(text::unescape("\\u{d800}").has_value());
  CHECK_FALSE(text::unescape("\\u{}").has_value());
}
