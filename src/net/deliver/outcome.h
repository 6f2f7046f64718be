// What one attempt's result means: delivered, worth retrying, or failed for good.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

namespace cmrelay::deliver {

enum class Verdict { Delivered, Retry, Fail };

struct Outcome {
  Verdict verdict = Verdict::Fail;
  long http_status = 0;       // 0 when no response arrived.
  std::string error;          // "HTTP 429: too many requests", a transport error; empty when delivered.
  std::string error_code;     // Flashduty's error.code, when the body carried one.
  std::string error_message;  // Flashduty's error.message.
  std::string request_id;     // Flashduty's request_id, of any response that carries one.
};

// Retried: transport errors (connect, DNS, TLS, timeouts, resets) except local
// configuration errors (bad URL, CA file), HTTP 408, 429 and 5xx except 501.
// Failed: every other status, and a 2xx whose JSON body carries "error". A 3xx says that
// redirects are not followed; location (the Location header, redacted by the caller) is
// quoted when given.
// transport_error is libcurl's error buffer (may be empty).
Outcome classify(CURLcode rc, std::string_view transport_error, long http_status, std::string_view body,
                 std::string_view location = {});

}  // namespace cmrelay::deliver
