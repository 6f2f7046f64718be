#include "net/deliver/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace cmrelay::deliver {

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out, &len);
  return {reinterpret_cast<const char*>(out), len};
}

}  // namespace cmrelay::deliver
