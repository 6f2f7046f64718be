// Parsed with uriparser (RFC 3986), not libcurl: this check runs in every command that loads a
// route file, and libcurl (with its 30-odd libraries) is loaded only by the commands that
// deliver (src/cli/full.h). libcurl accepts every URL this check passes.
#include <uriparser/Uri.h>

#include <algorithm>
#include <string_view>

#include "route/channel.h"
#include "text/ascii.h"
#include "text/url_redact.h"

namespace cmrelay {

namespace {

std::string_view part(const UriTextRangeA& r) {
  return r.first == nullptr ? std::string_view()
                            : std::string_view(r.first, static_cast<size_t>(r.afterLast - r.first));
}

// Why a parsed URL cannot be posted to; empty when it can.
std::string problem_of(const UriUriA& uri) {
  const std::string_view scheme = part(uri.scheme);
  if (!text::iequals(scheme, "http") && !text::iequals(scheme, "https")) return "only http and https are supported";
  if (part(uri.hostText).empty()) return "no host";
  const std::string_view port = part(uri.portText);
  if (port.empty()) return {};
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "the port is not a number from 1 to 65535";
  }
  const int n = std::stoi(std::string(port));
  if (n == 0) return "port 0 cannot be connected to";
  if (n > 65535) return "the port is not a number from 1 to 65535";
  return {};
}

}  // namespace

bool check_channel_url(const std::string& url, std::string& why) {
  UriUriA uri;
  const char* error_at = nullptr;
  std::string problem;
  if (uriParseSingleUriA(&uri, url.c_str(), &error_at) != URI_SUCCESS) {
    problem = "not a valid URL (at character " + std::to_string(error_at - url.c_str() + 1) + ")";
  } else {
    problem = problem_of(uri);
    uriFreeUriMembersA(&uri);
  }
  if (problem.empty()) return true;
  why = redact_url(url) + ": " + problem;
  return false;
}

}  // namespace cmrelay
