#include "route/matcher.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <charconv>
#include <cstring>

namespace cmrelay::route {
namespace {

RE2::Options re2_options() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(true);
  return o;
}

// Wildcard -> anchored RE2 pattern: * and ? become .* and ., everything else is quoted;
// a backslash makes the next character literal.
std::string wildcard_pattern(std::string_view w) {
  std::string pattern;
  std::string literal;
  auto flush = [&] {
    pattern += RE2::QuoteMeta(literal);
    literal.clear();
  };
  for (size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (c == '\\' && i + 1 < w.size()) {
      literal += w[++i];
    } else if (c == '*' || c == '?') {
      flush();
      pattern += c == '*' ? ".*" : ".";
    } else {
      literal += c;
    }
  }
  flush();
  return pattern;
}

// The address in a NUL-terminated stack copy (inet_pton needs one); false if not one.
bool parse_address(std::string_view text, int& family, unsigned char* out) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (::inet_pton(AF_INET, buf, out) == 1) {
    family = AF_INET;
    return true;
  }
  if (::inet_pton(AF_INET6, buf, out) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

}  // namespace

bool parse_number(std::string_view text, double& out) {
  const char* end = text.data() + text.size();
  if (!text.empty() && text[0] == '+') return false;
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && p == end && !text.empty();
}

Matcher::Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

bool Matcher::compile(const std::string& text, std::string& error) {
  text_ = text;
  std::string_view t = text;
  if (t == "*") {
    kind_ = Any;
    return true;
  }
  if (t.size() >= 2 && t.front() == '/' && t.back() == '/') {
    kind_ = Regex;
    re_ = std::make_unique<re2::RE2>(std::string(t.substr(1, t.size() - 2)), re2_options());
    if (!re_->ok()) {
      error = "invalid regex " + text + ": " + re_->error();
      return false;
    }
    return true;
  }
  if (t.starts_with("cidr:")) return compile_cidr(t.substr(5), error);
  if (t.starts_with("num:")) return compile_num(t.substr(4), error);
  if (t.find_first_of("*?") != std::string_view::npos) {
    kind_ = Wildcard;
    re_ = std::make_unique<re2::RE2>(wildcard_pattern(t), re2_options());
    if (!re_->ok()) {
      error = "invalid wildcard " + text + ": " + re_->error();
      return false;
    }
    return true;
  }
  kind_ = Exact;
  return true;
}

bool Matcher::compile_cidr(std::string_view spec, std::string& error) {
  kind_ = Cidr;
  size_t slash = spec.find('/');
  std::string_view addr = spec.substr(0, slash);
  if (!parse_address(addr, family_, net_)) {
    error = "malformed cidr: value '" + text_ + "': '" + std::string(addr) + "' is not an IPv4 or IPv6 address";
    return false;
  }
  int bits = family_ == AF_INET ? 32 : 128;
  prefix_ = bits;
  if (slash != std::string_view::npos) {
    std::string_view len = spec.substr(slash + 1);
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix_);
    if (len.empty() || ec != std::errc() || p != len.data() + len.size() || prefix_ < 0 || prefix_ > bits) {
      error = "malformed cidr: value '" + text_ + "': prefix length must be 0 to " + std::to_string(bits);
      return false;
    }
  }
  return true;
}

bool Matcher::compile_num(std::string_view spec, std::string& error) {
  kind_ = Num;
  static constexpr std::pair<std::string_view, NumOp> kOps[] = {{"gt:", Gt}, {"ge:", Ge}, {"lt:", Lt}, {"le:", Le}};
  for (const auto& [name, op] : kOps) {
    if (spec.starts_with(name) && parse_number(spec.substr(3), number_)) {
      op_ = op;
      return true;
    }
  }
  error = "malformed num: value '" + text_ + "' (expected num:gt|ge|lt|le:NUMBER)";
  return false;
}

bool Matcher::cidr_contains(std::string_view value) const {
  int family = 0;
  unsigned char addr[16];
  if (!parse_address(value, family, addr) || family != family_) return false;
  int full = prefix_ / 8;
  if (std::memcmp(addr, net_, static_cast<size_t>(full)) != 0) return false;
  int rest = prefix_ % 8;
  if (rest == 0) return true;
  unsigned mask = (0xFFu << (8 - rest)) & 0xFFu;
  return (addr[full] & mask) == (net_[full] & mask);
}

bool Matcher::num_holds(std::string_view value) const {
  double v = 0;
  if (!parse_number(value, v)) return false;
  switch (op_) {
    case Gt: return v > number_;
    case Ge: return v >= number_;
    case Lt: return v < number_;
    case Le: return v <= number_;
  }
  return false;
}

bool Matcher::matches(std::string_view value) const {
  switch (kind_) {
    case Any: return true;
    case Exact: return value == text_;
    case Wildcard: return RE2::FullMatch(value, *re_);
    case Regex: return RE2::PartialMatch(value, *re_);
    case Cidr: return cidr_contains(value);
    case Num: return num_holds(value);
  }
  return false;
}

}  // namespace cmrelay::route
