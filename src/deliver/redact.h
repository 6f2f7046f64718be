// Redaction of secrets in URLs: what every log line, error and dead-letter record prints.
#pragma once

#include <string>
#include <string_view>

namespace cmrelay::deliver {

// The URL with the password of its user info, and the value of every query parameter whose
// name contains "key", "token" or "secret" (any case; integration_key, access_token...),
// replaced by "***". Everything else is kept byte for byte.
std::string redact_url(std::string_view url);

// text with every secret of url (the values redact_url masks) replaced by "***": for what a
// server or libcurl says, which may echo the key back.
std::string redact_text(std::string_view text, std::string_view url);

}  // namespace cmrelay::deliver
