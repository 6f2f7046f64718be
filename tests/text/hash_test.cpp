#include "text/hash.h"

#include <doctest/doctest.h>

using namespace cmrelay;

TEST_CASE("hash: FNV-1a 64, fixed values that names across runs depend on") {
  // The published FNV-1a 64 test vectors.
  static_assert(text::fnv1a64("") == 0xcbf29ce484222325ull);
  CHECK(text::fnv1a64("a") == 0xaf63dc4c8601ec8cull);
  CHECK(text::fnv1a64("foobar") == 0x85944171f73967e8ull);
  CHECK(text::fnv1a64_hex("") == "cbf29ce484222325");
  CHECK(text::fnv1a64_hex("a") == "af63dc4c8601ec8c");
  CHECK(text::fnv1a64_hex(std::string_view("\0\xff", 2)).size() == 16);
}
