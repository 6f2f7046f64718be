// URLs and channel headers hold secrets (Flashduty's integration_key, a webhook's path
// token, an Authorization header); this is the only way to print a URL, and every text a
// server sends back passes mask_secrets before it is printed or recorded.
//
// The rule (README "Secrets"): redact_url replaces with "***"
//   - the user info, user and password each (https://***:***@host/, https://***@host/);
//   - the value of every query parameter whose name contains, in any case, one of
//     key, token, secret, pass, pwd, sig, credential, auth, session
//     (integration_key, access_token, password, sig, signature, X-Amz-Signature,
//     X-Amz-Credential, auth, Authorization, ...);
//   - every path segment after one whose name contains "hook" (hooks, webhook,
//     IncomingWebhook) or is services, token(s), key(s) or secret(s) (/hooks/T000/XXXX);
//   - every path segment of 20 or more characters that mixes letters and digits (a token
//     wherever it sits);
//   - what the channel declares (route file `redact:`): more query parameters by name,
//     and the whole path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cmrelay {

struct Channel;

// What a channel declares secret beyond the rule.
struct SecretParts {
  std::vector<std::string> query;  // Query parameter names (exact, any case) whose values are secret.
  bool path = false;               // Every path segment is secret.
};

// The URL with every secret part (the rule above, plus declared) replaced by "***".
std::string redact_url(std::string_view url, const SecretParts& declared = {});

// Every secret text a channel holds, as a server might echo it back: each secret part of
// its URL (as written and percent-decoded), and each header value (whole, and the
// credentials after an auth scheme: "Bearer T" gives T too). Longest first; header texts
// shorter than 4 bytes are left out ("X-Env: 1" is no secret, and masking every "1" would
// garble every message).
std::vector<std::string> channel_secrets(const Channel& channel);

// text with every occurrence of each secret replaced by "***".
std::string mask_secrets(std::string_view text, const std::vector<std::string>& secrets);

// mask_secrets with the secrets of a bare URL (no headers, nothing declared).
std::string redact_secrets(std::string_view text, std::string_view url);

}  // namespace cmrelay
