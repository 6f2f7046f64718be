#include "route/redact.h"

#include "input/form.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace cmrelay {
namespace {

constexpr std::string_view kMask = "***";

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

bool secret_name(std::string_view name) {
  return contains_ci(name, "key") || contains_ci(name, "token") || contains_ci(name, "secret");
}

// The [begin, end) spans of url that hold secrets, in order: the password of the user
// info (scheme://user:password@host), and the value of every secret-named query parameter.
std::vector<std::pair<size_t, size_t>> secret_spans(std::string_view url) {
  std::vector<std::pair<size_t, size_t>> spans;
  url = url.substr(0, url.find('#'));
  size_t query = url.find('?');
  std::string_view base = url.substr(0, query);
  size_t authority = base.find("://");
  if (authority != std::string_view::npos) {
    size_t start = authority + 3;
    std::string_view auth = base.substr(start, base.find('/', start) - start);
    size_t at = auth.rfind('@');
    size_t colon = auth.find(':');
    if (at != std::string_view::npos && colon < at) spans.emplace_back(start + colon + 1, start + at);
  }
  if (query == std::string_view::npos) return spans;
  size_t pos = query + 1;
  while (true) {
    size_t amp = url.find('&', pos);
    std::string_view pair = url.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && secret_name(pair.substr(0, eq))) {
      spans.emplace_back(pos + eq + 1, pos + pair.size());
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return spans;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  size_t pos = 0;
  for (auto [begin, end] : secret_spans(url)) {
    out.append(url.substr(pos, begin - pos));
    out.append(kMask);
    pos = end;
  }
  out.append(url.substr(pos));
  return out;
}

std::string redact_secrets(std::string_view text, std::string_view url) {
  std::string out(text);
  auto mask = [&out](std::string_view secret) {
    if (secret.empty()) return;
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + kMask.size())) {
      out.replace(at, secret.size(), kMask);
    }
  };
  std::string decoded;
  for (auto [begin, end] : secret_spans(url)) {
    std::string_view secret = url.substr(begin, end - begin);
    mask(secret);
    // A server may echo the secret back decoded ("Ab%2BCd" as "Ab+Cd"; '+' as a space).
    form::unescape(secret, decoded);
    mask(decoded);
    std::string plus_kept;
    for (size_t i = 0; i < secret.size(); ++i) {
      if (secret[i] == '+') {
        plus_kept += '+';
      } else {
        size_t next = secret.find('+', i);
        std::string part;
        form::unescape(secret.substr(i, next == std::string_view::npos ? next : next - i), part);
        plus_kept += part;
        i = next == std::string_view::npos ? secret.size() : next - 1;
      }
    }
    mask(plus_kept);
  }
  return out;
}

}  // namespace cmrelay
