#include "deliver/redact.h"

#include <algorithm>
#include <cctype>

namespace cmrelay::deliver {
namespace {

constexpr std::string_view kMask = "***";

bool secret_name(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (std::string_view word : {"key", "token", "secret"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

struct Parts {
  std::string_view before_query;  // Scheme, authority, path.
  std::string_view query;         // Without '?'; empty when none.
  bool has_query = false;
  std::string_view fragment;      // With '#'; empty when none.
};

Parts split(std::string_view url) {
  Parts p;
  size_t hash = url.find('#');
  if (hash != std::string_view::npos) {
    p.fragment = url.substr(hash);
    url = url.substr(0, hash);
  }
  size_t q = url.find('?');
  p.before_query = url.substr(0, q);
  if (q != std::string_view::npos) {
    p.has_query = true;
    p.query = url.substr(q + 1);
  }
  return p;
}

// Calls f(name, value, secret) for every name=value pair of query, in order.
template <class F>
void for_each_param(std::string_view query, F&& f) {
  while (true) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    f(pair, name, value, eq != std::string_view::npos && secret_name(name));
    if (amp == std::string_view::npos) return;
    query.remove_prefix(amp + 1);
  }
}

// scheme://user:password@host... -> scheme://user:***@host...; the password, or "".
std::string_view userinfo_password(std::string_view url, size_t& at) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::string_view authority = url.substr(start, url.find('/', start) - start);
  size_t end = authority.rfind('@');
  if (end == std::string_view::npos) return {};
  size_t colon = authority.substr(0, end).find(':');
  if (colon == std::string_view::npos) return {};
  at = start + colon + 1;
  return authority.substr(colon + 1, end - colon - 1);
}

}  // namespace

std::string redact_url(std::string_view url) {
  Parts p = split(url);
  std::string out;
  size_t at = 0;
  std::string_view password = userinfo_password(p.before_query, at);
  if (password.empty()) {
    out.append(p.before_query);
  } else {
    out.append(p.before_query.substr(0, at));
    out.append(kMask);
    out.append(p.before_query.substr(at + password.size()));
  }
  if (p.has_query) {
    out += '?';
    bool first = true;
    for_each_param(p.query, [&](std::string_view pair, std::string_view name, std::string_view, bool secret) {
      if (!first) out += '&';
      first = false;
      if (secret) {
        out.append(name);
        out += '=';
        out.append(kMask);
      } else {
        out.append(pair);
      }
    });
  }
  out.append(p.fragment);
  return out;
}

std::string redact_text(std::string_view text, std::string_view url) {
  std::string out(text);
  auto mask = [&](std::string_view secret) {
    if (secret.empty()) return;
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + kMask.size())) {
      out.replace(at, secret.size(), kMask);
    }
  };
  Parts p = split(url);
  size_t at = 0;
  mask(userinfo_password(p.before_query, at));
  if (p.has_query) {
    for_each_param(p.query, [&](std::string_view, std::string_view, std::string_view value, bool secret) {
      if (secret) mask(value);
    });
  }
  return out;
}

}  // namespace cmrelay::deliver
