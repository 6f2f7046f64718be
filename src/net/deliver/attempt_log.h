// The lines `send` writes about single events: one per attempt (-v), and one per event it
// dead-letters; as text, or as one JSON object each (--log-format json). Every string
// handed in is already redacted.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace cmrelay::deliver {

struct AttemptLine {
  std::string_view what;  // "attempt", "dead-lettered", "waiting"
  std::string_view channel;
  std::string_view url;  // Redacted.
  std::string_view alert_key;
  int attempt = 0;                      // 1-based; 0 when none was made.
  long http_status = 0;                 // 0: no response.
  std::string_view error;               // Transport error or "HTTP 503 ..."; empty when delivered.
  std::string_view error_code;          // Flashduty's error.code.
  std::string_view request_id;          // Flashduty's request_id.
  std::string_view result;              // "delivered", "retry", "failed", "dead-lettered"
  std::chrono::milliseconds waited{0};  // Before the attempt, and why ("rate limit", "channel pause").
  std::string_view waited_for;
  std::chrono::milliseconds next_wait{0};  // Before the next attempt, and why ("backoff", "Retry-After",
  std::string_view next_wait_for;          // "rate window (429 without Retry-After)").
  std::string_view reason;                 // Why it was dead-lettered.
};

// "cmrelay: send: CHANNEL (URL): ..." or {"time":..,"event":"attempt",...}; ends in a newline.
std::string format_attempt_line(const AttemptLine& line, bool json);

}  // namespace cmrelay::deliver
