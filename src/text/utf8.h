// UTF-8 facts the output contract depends on: Flashduty counts code points, and every
// byte cmrelay prints must be valid UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cmrelay::utf8 {

// Byte offset of the first invalid sequence, or npos when s is valid UTF-8
// (overlongs, surrogates and code points above U+10FFFF are invalid).
size_t find_invalid(std::string_view s);
inline bool valid(std::string_view s) { return find_invalid(s) == std::string_view::npos; }

// The code point starting at byte i of s (i < s.size()) in cp; returns its length in bytes,
// or 0 when no valid sequence starts there.
size_t decode(std::string_view s, size_t i, uint32_t& cp);

// Appends cp (at most U+10FFFF, no surrogate) to out as UTF-8; false, nothing appended, else.
bool append(std::string& out, uint32_t cp);

// s with each byte that starts no valid sequence written as the text \xNN, everything else
// as it is: valid UTF-8 for a JSON string (a server's message, a client's path may hold any
// bytes; a record or log line with them raw would be no JSON).
std::string invalid_as_hex(std::string_view s);
// s itself when it is valid UTF-8 (no copy: the common case), else invalid_as_hex(s) kept in
// scratch: what a JSON writer is handed for a string from outside.
std::string_view as_valid(std::string_view s, std::string& scratch);

// Number of code points in valid UTF-8.
size_t length(std::string_view s);

// Cuts s to at most max_chars code points, on a code-point boundary.
// Returns true when something was cut.
bool truncate(std::string& s, size_t max_chars);

}  // namespace cmrelay::utf8
