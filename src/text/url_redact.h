// URLs hold secrets (Flashduty's integration_key, a webhook's path token, a password);
// redact_url is the only way to print a URL, and every text a server sends back passes
// mask_secrets before it is printed or recorded. Domain-free: a channel's own secrets (its
// headers too) are route::channel_secrets (route/channel.h), built from url_secrets.
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

// What a channel declares secret beyond the rule.
struct SecretParts {
  std::vector<std::string> query;  // Query parameter names (exact, any case) whose values are secret.
  bool path = false;               // Every path segment is secret.
};

// The URL with every secret part (the rule above, plus declared) replaced by "***".
std::string redact_url(std::string_view url, const SecretParts& declared = {});

// Each secret part of url (the rule above, plus declared), as written and as a server may
// echo it decoded ('+' read as a space, or kept), in URL order; empty parts left out.
std::vector<std::string> url_secrets(std::string_view url, const SecretParts& declared = {});

// secrets longest first, without repeats: a secret that holds another is masked whole, not
// around the other's mask.
void longest_first(std::vector<std::string>& secrets);

// text with every occurrence of each secret replaced by "***".
std::string mask_secrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace cmrelay
