// The project's one hash of text: FNV-1a, 64 bits. Not for secrets or adversaries; it names
// things stably across runs and builds (an alert_key too long for Flashduty, a body for
// serve's duplicate window), so its output must never change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cmrelay::text {

// FNV-1a 64 of the bytes of s ("" -> 0xcbf29ce484222325).
constexpr uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

// fnv1a64(s) as 16 lower-case hex digits.
std::string fnv1a64_hex(std::string_view s);

}  // namespace cmrelay::text
