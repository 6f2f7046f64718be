#include "text/ascii.h"

#include <doctest/doctest.h>

using namespace cmrelay;

TEST_CASE("ascii: iequals folds A-Z only") {
  static_assert(text::iequals("Content-Length", "content-LENGTH"));
  CHECK(text::iequals("", ""));
  CHECK_FALSE(text::iequals("abc", "abcd"));
  CHECK_FALSE(text::iequals("@", "`"));  // One bit apart, not one letter in two cases.
  CHECK_FALSE(text::iequals("[", "{"));
  CHECK_FALSE(text::iequals("\xC3\x80", "\xC3\xA0"));  // Other scripts are compared byte for byte.
}

TEST_CASE("ascii: istarts_with, icontains, to_lower") {
  CHECK(text::istarts_with("Content-Type: x", "content-type:"));
  CHECK_FALSE(text::istarts_with("Content", "content-type"));
  CHECK(text::icontains("X-Amz-Signature", "SIG"));
  CHECK(text::icontains("abc", ""));
  CHECK_FALSE(text::icontains("ab", "abc"));
  CHECK(text::to_lower("GZip, Deflate 1") == "gzip, deflate 1");
}

TEST_CASE("ascii: trim removes ASCII whitespace around, nothing inside") {
  static_assert(text::trim(" \t critical\r\n") == "critical");
  CHECK(text::trim("\v\fa b\f\v") == "a b");
  CHECK(text::trim("   ").empty());
  CHECK(text::trim("").empty());
  CHECK(text::trim("\xC2\xA0x") == "\xC2\xA0x");  // A no-break space is text, not ASCII blank.
}
