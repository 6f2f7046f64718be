#include "text/hash.h"

namespace cmrelay::text {

std::string fnv1a64_hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t h = fnv1a64(s);
  std::string out(16, '0');
  for (size_t i = 16; i-- > 0; h >>= 4) out[i] = kDigits[h & 0xf];
  return out;
}

}  // namespace cmrelay::text
