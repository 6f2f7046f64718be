// The spool's file format: one received request in the raw-HTTP form every cmrelay command
// reads (request line, headers, blank line, body), with its secrets masked. So `convert`,
// `detect`, `routes test` and `send` read a spool file as they read a netcat capture.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmrelay::serve {

inline constexpr std::string_view kMask = "***";

struct Request {
  std::string method;  // "POST", "GET".
  std::string target;  // Path and query as received (the token part already masked).
  std::vector<std::pair<std::string, std::string>> headers;  // As received, in order.
  std::string body;                                          // De-chunked.
};

// "METHOD TARGET HTTP/1.1\r\n", the headers but Content-Length, Transfer-Encoding and
// Connection, each header named in secret_headers (case-insensitive) with its value
// replaced by "***", "Content-Length: N\r\n" (left out for a GET without a body: its query
// string is its body), "\r\n", then the body.
std::string format_capture(const Request& r, const std::vector<std::string>& secret_headers);

// "/hook/TOKEN?x" -> "/hook/***?x"; other targets unchanged. token gets TOKEN (empty when
// the path carries none).
std::string mask_path_token(std::string_view target, std::string& token);

}  // namespace cmrelay::serve
