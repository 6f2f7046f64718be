#include "text/base64.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay;

TEST_CASE("base64") {
  CHECK(base64::encode("") == "");
  CHECK(base64::encode("f") == "Zg==");
  CHECK(base64::encode("fo") == "Zm8=");
  CHECK(base64::encode("foo") == "Zm9v");
  CHECK(base64::encode("\xFF\xFE\x00x") == "//4=");  // Stops at the NUL of the literal.
  CHECK(base64::encode(std::string("\xFF\xFE\x00x", 4)) == "//4AeA==");
}
