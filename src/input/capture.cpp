#include "input/capture.h"

#include <algorithm>

#include "text/ascii.h"

namespace cmrelay::serve {

using text::iequals;

std::string format_capture(const Request& r, const std::vector<std::string>& secret_headers) {
  std::string out;
  out.reserve(r.body.size() + 512);
  out.append(r.method).append(" ").append(r.target).append(" HTTP/1.1\r\n");
  for (const auto& header : r.headers) {
    // Named, not a structured binding: clang 14 (the fuzz and tidy stages) cannot capture one.
    const std::string& name = header.first;
    const std::string& value = header.second;
    // Framing is rewritten: the body is stored de-chunked, with its own length.
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection")) continue;
    bool secret = std::any_of(secret_headers.begin(), secret_headers.end(),
                              [&](const std::string& s) { return iequals(s, name); });
    out.append(name).append(": ").append(secret ? kMask : std::string_view(value)).append("\r\n");
  }
  // A GET's body is its query string: readers look there when no length is given.
  if (!r.body.empty() || r.method != "GET")
    out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  out.append("\r\n");
  out.append(r.body);
  return out;
}

std::string mask_path_token(std::string_view target, std::string& token) {
  constexpr std::string_view kHook = "/hook/";
  token.clear();
  if (!target.starts_with(kHook)) return std::string(target);
  size_t end = target.find_first_of("/?", kHook.size());
  if (end == std::string_view::npos) end = target.size();
  token = std::string(target.substr(kHook.size(), end - kHook.size()));
  if (token.empty()) return std::string(target);
  return std::string(kHook) + std::string(kMask) + std::string(target.substr(end));
}

}  // namespace cmrelay::serve
