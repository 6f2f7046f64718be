// URLs hold secrets (Flashduty's integration_key); this is the only way to print one.
#pragma once

#include <string>
#include <string_view>

namespace cmrelay {

// The URL with every query value whose name contains "key", "token" or "secret" (any case)
// replaced by "***", and a password in the user-info part replaced by "***".
std::string redact_url(std::string_view url);

// text with every secret of url (what redact_url masks) replaced by "***" wherever it
// occurs: for messages that may echo one back (a server's error message).
std::string redact_secrets(std::string_view text, std::string_view url);

}  // namespace cmrelay
