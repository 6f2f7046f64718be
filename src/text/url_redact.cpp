#include "text/url_redact.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "text/ascii.h"
#include "text/percent.h"

namespace cmrelay {
namespace {

constexpr std::string_view kMask = "***";

bool secret_name(std::string_view name, const SecretParts& declared) {
  static constexpr std::string_view kWords[] = {"key", "token",      "secret", "pass",   "pwd",
                                                "sig", "credential", "auth",   "session"};
  for (std::string_view w : kWords) {
    if (text::icontains(name, w)) return true;
  }
  return std::any_of(declared.query.begin(), declared.query.end(),
                     [&](const std::string& q) { return text::iequals(name, q); });
}

// A segment after which the rest of the path is a token: /hooks/T000/XXXX.
bool opens_secret_path(std::string_view segment) {
  static constexpr std::string_view kNames[] = {"services", "token", "tokens", "key", "keys", "secret", "secrets"};
  return text::icontains(segment, "hook") || std::any_of(std::begin(kNames), std::end(kNames),
                                                         [&](std::string_view n) { return text::iequals(segment, n); });
}

// 20 or more characters mixing letters and digits: a token, wherever it sits.
bool token_shaped(std::string_view segment) {
  constexpr size_t kTokenLength = 20;
  bool letter = false, digit = false;
  for (char c : segment) {
    letter |= std::isalpha(static_cast<unsigned char>(c)) != 0;
    digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  return segment.size() >= kTokenLength && letter && digit;
}

using Spans = std::vector<std::pair<size_t, size_t>>;

// The user info of scheme://user:password@host, user and password each; start is where
// the authority begins. Returns where the path begins.
size_t user_info_spans(std::string_view base, size_t start, Spans& spans) {
  size_t path = std::min(base.find('/', start), base.size());
  std::string_view auth = base.substr(start, path - start);
  size_t at = auth.rfind('@');
  if (at == std::string_view::npos) return path;
  size_t colon = auth.find(':');
  if (colon > at) colon = at;
  if (colon > 0) spans.emplace_back(start, start + colon);
  if (colon < at) spans.emplace_back(start + colon + 1, start + at);
  return path;
}

void path_spans(std::string_view base, size_t pos, const SecretParts& declared, Spans& spans) {
  bool rest = declared.path;
  while (pos < base.size()) {
    size_t begin = pos + 1;  // After the '/'.
    size_t end = std::min(base.find('/', begin), base.size());
    std::string_view segment = base.substr(begin, end - begin);
    if (!segment.empty() && (rest || token_shaped(segment))) spans.emplace_back(begin, end);
    rest |= opens_secret_path(segment);
    pos = end;
  }
}

void query_spans(std::string_view url, size_t query, const SecretParts& declared, Spans& spans) {
  size_t pos = query + 1;
  while (true) {
    size_t amp = url.find('&', pos);
    std::string_view pair = url.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && secret_name(pair.substr(0, eq), declared)) {
      spans.emplace_back(pos + eq + 1, pos + pair.size());
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
}

// The [begin, end) spans of url that hold secrets, in order.
Spans secret_spans(std::string_view url, const SecretParts& declared) {
  Spans spans;
  url = url.substr(0, url.find('#'));
  size_t query = url.find('?');
  std::string_view base = url.substr(0, query);
  size_t authority = base.find("://");
  if (authority != std::string_view::npos) {
    size_t path = user_info_spans(base, authority + 3, spans);
    path_spans(base, path, declared, spans);
  }
  if (query != std::string_view::npos) query_spans(url, query, declared, spans);
  return spans;
}

void add_secret(std::vector<std::string>& out, std::string_view s) {
  if (!s.empty()) out.emplace_back(s);
}

// A URL part as written, and as a server may echo it decoded ("Ab%2BCd" as "Ab+Cd"; '+'
// read as a space, or kept).
void add_url_secret(std::vector<std::string>& out, std::string_view secret) {
  add_secret(out, secret);
  std::string decoded;
  text::percent_decode(secret, decoded, text::Plus::Space);
  add_secret(out, decoded);
  text::percent_decode(secret, decoded, text::Plus::Kept);
  add_secret(out, decoded);
}

}  // namespace

std::vector<std::string> url_secrets(std::string_view url, const SecretParts& declared) {
  std::vector<std::string> out;
  for (auto [begin, end] : secret_spans(url, declared)) add_url_secret(out, url.substr(begin, end - begin));
  return out;
}

void longest_first(std::vector<std::string>& secrets) {
  // Longest first: a secret that holds another is masked whole, not around the other's mask.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
}

std::string redact_url(std::string_view url, const SecretParts& declared) {
  std::string out;
  out.reserve(url.size());
  size_t pos = 0;
  for (auto [begin, end] : secret_spans(url, declared)) {
    out.append(url.substr(pos, begin - pos));
    out.append(kMask);
    pos = end;
  }
  out.append(url.substr(pos));
  return out;
}

std::string mask_secrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + kMask.size())) {
      out.replace(at, secret.size(), kMask);
    }
  }
  return out;
}

}  // namespace cmrelay
