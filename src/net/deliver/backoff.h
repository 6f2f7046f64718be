// How long to wait before the next attempt: full-jitter exponential backoff, and the
// server's Retry-After.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace cmrelay::deliver {

using Ms = std::chrono::milliseconds;

// Full jitter: uniform in [0, min(cap, base * 2^(retry - 1))]; retry counts from 1.
Ms backoff_delay(int retry, Ms base, Ms cap, std::mt19937_64& rng);

// A Retry-After value, in either form: delay-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", read by libcurl's curl_getdate), as the wait from now
// (0 for a date already past). nullopt when it is neither.
std::optional<Ms> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace cmrelay::deliver
