#include "route/channel.h"

namespace cmrelay {
namespace {

constexpr size_t kShortest = 4;  // Shorter header values are not masked in messages.

// Header values hold non-secrets too ("X-Env: prod", "1"): a short one is no secret worth
// the name, and masking it would garble every message.
void add_header_secret(std::vector<std::string>& out, std::string_view s) {
  if (s.size() >= kShortest) out.emplace_back(s);
}

}  // namespace

std::vector<std::string> channel_secrets(const Channel& channel) {
  std::vector<std::string> out = url_secrets(channel.url, channel.redact);
  for (const auto& [name, value] : channel.headers) {
    add_header_secret(out, value);
    // "Bearer T", "Basic T", "Token T": the credentials alone, as a server may quote them.
    size_t credentials = value.find(' ');
    if (credentials != std::string::npos) credentials = value.find_first_not_of(' ', credentials);
    if (credentials != std::string::npos) add_header_secret(out, std::string_view(value).substr(credentials));
  }
  for (std::string& s : channel.target->secrets()) out.push_back(std::move(s));
  longest_first(out);
  return out;
}

}  // namespace cmrelay
