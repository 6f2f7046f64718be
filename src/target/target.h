// The target seam: the one interface between "an event for a channel" and "bytes on the
// wire, and whether they were accepted". A target kind (Flashduty's standard event today;
// one file each, listed in kinds.cpp) renders the Flashduty standard event, cmrelay's
// normalized form, into the request its server accepts, and judges that server's answer.
// The sender (net/deliver) owns everything else: connections, lanes, pacing, retries, dead
// letters, logs. A target never touches the network, a file or a clock of its own: routes
// test and send --dry-run render through it too.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmrelay::target {

// HMAC-SHA256(key, message), raw bytes. The sender supplies OpenSSL's; nullptr (routes
// test, --dry-run) masks what it would sign.
using Hmac = std::string (*)(std::string_view key, std::string_view message);

// What rendering may depend on besides the events.
struct RenderContext {
  std::chrono::system_clock::time_point now{};  // Signing timestamps.
  Hmac hmac = nullptr;
};

// One request. url and body view either the caller's text (the channel URL whole, the event
// as handed in: nothing copied) or url_text and body_text, which render fills when it builds
// them; so url is always NUL-terminated. A Request is reused from request to request (its
// strings keep their capacity).
struct Request {
  std::string_view url;
  std::string_view body;
  std::string url_text, body_text;
  void use_url_text() { url = url_text; }
  void use_body_text() { body = body_text; }
};

// What the server answered (a transport error never reaches a target).
struct Response {
  long status = 0;
  std::string_view body;                                 // At most the first 64 KiB.
  std::optional<std::chrono::milliseconds> retry_after;  // The Retry-After header, parsed.
  std::string_view location;                             // A 3xx's Location, redacted.
};

enum class Verdict { Delivered, Retry, Fail };

struct Judgement {
  Verdict verdict = Verdict::Fail;
  long http_status = 0;       // 0 when no response arrived.
  std::string error;          // "HTTP 429: too many requests", a transport error; empty when delivered.
  std::string error_code;     // The target's own error code, when the body carried one.
  std::string error_message;  // Its message.
  std::string request_id;     // The server's id of the request, when the body carried one.
  // The server says the target's rate was passed (429, or a body's rate-limit code): the
  // attempt is not counted against --max-attempts, and the whole budget waits.
  bool throttled = false;
  // How long the server asked to wait (Retry-After, or the target's documented wait); when
  // budget_wait is true the wait applies to every channel of the budget, not only the event.
  std::optional<std::chrono::milliseconds> retry_after;
  bool budget_wait = false;
};

class Target {
 public:
  virtual ~Target() = default;

  // The kind's name, as a route file's kind: says it.
  virtual std::string_view kind() const = 0;
  // Headers every request of the channel carries, before the channel's own headers:
  // Content-Type first.
  virtual std::vector<std::pair<std::string, std::string>> headers() const = 0;
  // Renders events (each a Flashduty standard event, JSON) into out; channel_url is the
  // channel's URL. Returns how many of events the request carries (from the first; at least
  // 1 on success; more than 1 only for a kind with digest_limit() > 1), or 0 with error set
  // when nothing can be sent (the events are then dead-lettered, unsent).
  virtual size_t render(std::span<const std::string_view> events, std::string_view channel_url,
                        const RenderContext& context, Request& out, std::string& error) const = 0;
  // What the server's answer means.
  virtual Judgement judge(const Response& response) const = 0;
  // The pacing a channel of this kind gets when the route file gives no rate:, in rate:'s
  // grammar ("100/s,1000/m", or "none").
  virtual std::string default_rate(std::string_view channel_url) const = 0;
  // What identifies the budget a channel spends from: channels with the same key share one
  // (the same robot, the same integration). Holds secrets: never print it.
  virtual std::string budget_key(std::string_view channel_url) const = 0;
  // The most events one request may carry: more than 1 for message targets, which merge the
  // events waiting for their budget into one digest message instead of queueing them.
  virtual size_t digest_limit() const { return 1; }
  // Secrets of the channel beyond its URL and headers (a routing key, a signing secret), as
  // a server might echo them: masked wherever text is printed or recorded.
  virtual std::vector<std::string> secrets() const { return {}; }
};

// The Flashduty standard event: the kind of a channel that names none (and of --url).
std::shared_ptr<const Target> flashduty_target();

}  // namespace cmrelay::target
