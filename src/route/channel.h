// A destination named in a route file: where `send` POSTs the events routed to it.
// Shared by route/ (which loads channels) and deliver/ (which posts to them).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "target/target.h"
#include "text/url_redact.h"

namespace cmrelay {

// One rate window: at most `count` requests started in any `per`-long interval.
struct Rate {
  uint32_t count = 0;
  std::chrono::milliseconds per{0};
  bool operator==(const Rate&) const = default;
};

// "100/s", "1000/m", "100/s,1000/m", "5/10s", "20/500ms" (a bare unit means one of it), or
// "none" (no pacing, also for a Flashduty URL). False with why set on anything else.
bool parse_rates(std::string_view text, std::vector<Rate>& out, std::string& why);
// The same text back, "100/s,1000/m" ("none" for an empty list).
std::string format_rates(const std::vector<Rate>& rates);

struct Channel {
  std::string name;  // The name cases refer to ("dba").
  std::string id;    // Optional numeric id, for Flashduty route JSON's channel_ids.
  std::string url;   // ${VAR} already expanded; holds secrets: print only redacted.
  std::vector<std::pair<std::string, std::string>> headers;  // Expanded, may hold secrets.
  std::chrono::milliseconds timeout{0};                      // Per-attempt timeout; 0 means the command's default.
  SecretParts redact{};  // Parts of url the route file declares secret (`redact:`), beyond the rule.
  // Pacing (rate: / --rate). Unset: Flashduty's documented limits for a Flashduty push URL,
  // none for other URLs. Set and empty: none ("none").
  bool rate_set = false;
  std::vector<Rate> rate{};
  // What the channel's events become on the wire, and what its answers mean (kind:; the
  // Flashduty standard event when the file names none, and for --url).
  std::shared_ptr<const target::Target> target = target::flashduty_target();
};

// Every secret text a channel holds, as a server might echo it back: each secret part of
// its URL (url_secrets: as written and percent-decoded), and each header value (whole, and
// the credentials after an auth scheme: "Bearer T" gives T too), and its target's own (a
// routing key, a signing secret). Longest first; header
// texts shorter than 4 bytes are left out ("X-Env: 1" is no secret, and masking every "1"
// would garble every message).
std::vector<std::string> channel_secrets(const Channel& channel);

// The one URL rule: whether url is one send and serve can POST to: http or https, a valid URL
// by RFC 3986 (an IPv6 literal's brackets, no spaces) with a host (a name of letters, digits,
// '-', '.', '_' and '~', or an IP literal), and a port from 1 to 65535 when one is given. Else
// why not, the URL redacted. routes check, the route loader and send's and serve's --url all
// ask this one question; libcurl accepts every URL it passes.
bool check_channel_url(const std::string& url, std::string& why);

}  // namespace cmrelay
