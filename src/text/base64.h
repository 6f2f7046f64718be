// Base64 (RFC 4648, padded): how a rejected body that is not UTF-8 is kept byte for byte.
#pragma once

#include <string>
#include <string_view>

namespace cmrelay::base64 {

std::string encode(std::string_view bytes);

}  // namespace cmrelay::base64
