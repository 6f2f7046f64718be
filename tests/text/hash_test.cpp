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

TEST_CASE("hash: NameBits sets meet when they share a name's bit, and only then") {
  text::NameBits body, keys, none;
  body.add("alert");
  body.add("batchId");
  CHECK_FALSE(body.meets(none));
  CHECK_FALSE(none.meets(body));
  for (unsigned b = 0; b < 256; ++b) {  // Every bit, in each of the four words.
    CAPTURE(b);
    text::NameBits one;
    one.set_bit(b);
    CHECK(one.meets(one));
    CHECK(one.meets(body) == body.has_bit(b));
  }
  keys.add("alert");
  CHECK(body.meets(keys));
  CHECK(keys.meets(body));
}
