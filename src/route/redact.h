// URLs hold secrets (Flashduty's integration_key); this is the only way to print one.
#pragma once

#include <string>
#include <string_view>

namespace cmrelay {

// The URL with every query value whose name contains "key", "token" or "secret" (any case)
// replaced by "***", and a password in the user-info part replaced by "***".
std::string redact_url(std::string_view url);

}  // namespace cmrelay
