// HMAC-SHA256 with OpenSSL's libcrypto: how the sender signs requests for the kinds that
// sign (dingtalk, feishu: target::RenderContext::hmac). In net/: only what sends signs,
// so the light binary never loads libcrypto.
#pragma once

#include <string>
#include <string_view>

namespace cmrelay::deliver {

// The 32 raw bytes of HMAC-SHA256(key, message).
std::string hmac_sha256(std::string_view key, std::string_view message);

}  // namespace cmrelay::deliver
