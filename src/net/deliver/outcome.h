// What one attempt's result means: delivered, worth retrying, or failed for good. A
// transport error (no answer) is judged here, the same for every target; an answer is
// judged by the channel's target (target/target.h).
#pragma once

#include <curl/curl.h>

#include <string_view>

#include "target/target.h"

namespace cmrelay::deliver {

using Verdict = target::Verdict;
using Outcome = target::Judgement;

// Retried: transport errors (connect, DNS, TLS, timeouts, resets) except local
// configuration errors (bad URL, CA file). transport_error is libcurl's error buffer (may
// be empty). rc must not be CURLE_OK.
Outcome transport_failure(CURLcode rc, std::string_view transport_error);

// A transport failure when rc is not CURLE_OK, else the target's judgement of the answer.
Outcome judge(const target::Target& target, CURLcode rc, std::string_view transport_error,
              const target::Response& response);

// judge() for the Flashduty standard event: HTTP 408, 429 and 5xx except 501 are retried;
// every other status, and a 2xx whose JSON body carries "error", failed. A 3xx says that
// redirects are not followed; location (the Location header, redacted by the caller) is
// quoted when given.
Outcome classify(CURLcode rc, std::string_view transport_error, long http_status, std::string_view body,
                 std::string_view location = {});

}  // namespace cmrelay::deliver
