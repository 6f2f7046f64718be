#include "route/redact.h"

#include <algorithm>
#include <cctype>

namespace cmrelay {
namespace {

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

bool secret_name(std::string_view name) {
  return contains_ci(name, "key") || contains_ci(name, "token") || contains_ci(name, "secret");
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  size_t fragment = url.find('#');
  std::string_view tail = fragment == std::string_view::npos ? std::string_view() : url.substr(fragment);
  url = url.substr(0, fragment);
  size_t query = url.find('?');
  std::string_view base = url.substr(0, query);

  // scheme://user:password@host... -> scheme://user:***@host...
  size_t authority = base.find("://");
  size_t at = std::string_view::npos;
  if (authority != std::string_view::npos) {
    size_t end = base.find('/', authority + 3);
    std::string_view auth = base.substr(authority + 3, end == std::string_view::npos ? end : end - authority - 3);
    at = auth.rfind('@');
    if (at != std::string_view::npos) {
      size_t colon = auth.find(':');
      if (colon != std::string_view::npos && colon < at) {
        out.append(base.substr(0, authority + 3 + colon + 1));
        out.append("***");
        out.append(base.substr(authority + 3 + at));
      } else {
        at = std::string_view::npos;
      }
    }
  }
  if (at == std::string_view::npos) out.append(base);

  if (query != std::string_view::npos) {
    std::string_view q = url.substr(query + 1);
    out.push_back('?');
    while (true) {
      size_t amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && secret_name(pair.substr(0, eq))) {
        out.append(pair.substr(0, eq + 1));
        out.append("***");
      } else {
        out.append(pair);
      }
      if (amp == std::string_view::npos) break;
      out.push_back('&');
      q = q.substr(amp + 1);
    }
  }
  out.append(tail);
  return out;
}

}  // namespace cmrelay
