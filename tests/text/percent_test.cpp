#include "text/percent.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay;

namespace {

std::string decoded(std::string_view s, text::Plus plus = text::Plus::Space) {
  std::string out = "left over";
  text::percent_decode(s, out, plus);
  return out;
}

}  // namespace

TEST_CASE("percent: %XX in either case, '+' as a space or kept") {
  CHECK(decoded("%24Average%3E%3D90") == "$Average>=90");
  CHECK(decoded("%7bA%7D") == "{A}");
  CHECK(decoded("5%E5%88%86") == "5\xE5\x88\x86");
  CHECK(decoded("a+b%2Bc") == "a b+c");
  CHECK(decoded("a+b%2Bc", text::Plus::Kept) == "a+b+c");
  CHECK(decoded("%00", text::Plus::Kept) == std::string(1, '\0'));
  CHECK(decoded("").empty());
}

TEST_CASE("percent: an invalid or cut-short escape stays literal") {
  CHECK(decoded("%") == "%");
  CHECK(decoded("50% of %2") == "50% of %2");
  CHECK(decoded("%zz%4") == "%zz%4");
  CHECK(decoded("%%41") == "%A");
  CHECK(decoded("%+41", text::Plus::Kept) == "%+41");
}
