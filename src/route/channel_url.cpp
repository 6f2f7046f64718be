// The one URL rule: of every route file channel's url, and of send's and serve's --url.
// Parsed with uriparser (RFC 3986), not libcurl: this check runs in every command that loads a
// route file, and libcurl (with its 30-odd libraries) is loaded only by the commands that
// deliver (src/cli/full.h). libcurl accepts every URL this check passes: where RFC 3986 allows
// more than libcurl does (a host name with sub-delimiters or percent-encoding, an IPvFuture
// literal), the rule is the stricter one (tests/net/deliver/channel_url_curl_test.cpp).
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

// A host name's characters: RFC 3986's unreserved ones. Its sub-delimiters and percent-encoding
// are refused (libcurl refuses them too, some after decoding).
bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Why a parsed URL cannot be posted to; empty when it can.
std::string problem_of(const UriUriA& uri) {
  const std::string_view scheme = part(uri.scheme);
  if (!text::iequals(scheme, "http") && !text::iequals(scheme, "https")) return "only http and https are supported";
  const std::string_view host = part(uri.hostText);
  if (host.empty()) return "no host";
  if (uri.hostData.ipFuture.first != nullptr) return "an IPvFuture address cannot be connected to";
  if (uri.hostData.ip6 == nullptr && !std::all_of(host.begin(), host.end(), host_char)) {
    return "the host name holds a character other than a letter, a digit, '-', '.', '_' or '~'";
  }
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
