#include "net/serve/auth.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "input/capture.h"
#include "text/ascii.h"

namespace cmrelay::serve {
namespace {}  // namespace

bool equal_constant_time(std::string_view a, std::string_view b) {
  // Every byte of the longer one is read; a length mismatch only adds to the difference.
  size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

std::string printable_path(std::string_view target) {
  constexpr std::string_view kRoutes[] = {"hook", "healthz", "readyz", "metrics"};
  std::string_view path = target.substr(0, target.find('?'));
  std::string out;
  bool named = false;  // The first non-empty segment was seen.
  size_t i = 0;
  while (i < path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(i, end - i);
    if (!segment.empty()) {
      bool route = false;
      for (std::string_view r : kRoutes) route |= !named && text::iequals(segment, r);
      out.append(route ? segment : kMask);
      named = true;
    }
    if (end < path.size()) out += '/';
    i = end + 1;
  }
  return out;
}

bool Auth::load_file(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot read the token file: " + std::strerror(errno);
    return false;
  }
  size_t before = tokens_.size();
  bool first = true;
  for (std::string line; std::getline(in, line); first = false) {
    std::string_view t = text::trim(line);
    // A UTF-8 byte order mark (some editors write one) is no part of the first token.
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (first && t.starts_with(kBom)) t = text::trim(t.substr(kBom.size()));
    if (!t.empty() && t.front() != '#') tokens_.emplace_back(t);
  }
  if (tokens_.size() == before) {
    error = path + ": the token file holds no token";
    return false;
  }
  return true;
}

void Auth::add_tokens(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find_first_of(", \t\r\n", i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) tokens_.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
}

bool Auth::accepts(std::string_view candidate) const {
  bool ok = false;
  for (const std::string& t : tokens_) ok |= equal_constant_time(candidate, t);  // No early exit.
  return ok && !candidate.empty();
}

bool Auth::allow(const std::string& cidr, std::string& error) {
  std::string spec =
      cidr.find('/') == std::string::npos ? cidr + (cidr.find(':') == std::string::npos ? "/32" : "/128") : cidr;
  route::Matcher m;
  if (!m.compile("cidr:" + spec, error)) {
    error = "--allow " + cidr + ": " + error;
    return false;
  }
  ranges_.push_back(std::move(m));
  return true;
}

bool Auth::allowed(std::string_view address) const {
  if (ranges_.empty()) return true;
  for (const route::Matcher& m : ranges_) {
    if (m.matches(address)) return true;
  }
  return false;
}

}  // namespace cmrelay::serve
