#include "route/matcher.h"

#include <arpa/inet.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace cmrelay::route {
namespace {

RE2::Options re2_options() {
  RE2::Options o;
  o.set_log_errors(false);  // RE2's defaults otherwise, as Flashduty: `.` does not match a newline unless (?s).
  return o;
}

// Bytes of the UTF-8 character that starts with c (1 for a stray continuation byte).
size_t char_len(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// The first 12 bytes of an IPv4-mapped IPv6 address, ::ffff:0:0/96.
constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

bool is_v4_mapped(const unsigned char* addr) { return std::memcmp(addr, kMappedPrefix, sizeof kMappedPrefix) == 0; }

// The address in a NUL-terminated stack copy (inet_pton needs one); false if not one. An
// IPv4-mapped IPv6 address (::ffff:10.1.2.3) is its IPv4 address.
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
    if (is_v4_mapped(out)) {
      std::memmove(out, out + 12, 4);
      std::memset(out + 4, 0, 12);
      family = AF_INET;
    }
    return true;
  }
  return false;
}

}  // namespace

bool parse_number(std::string_view text, double& out) {
  auto digit = [&](size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  // from_chars also reads inf, infinity and nan (any case): a number starts with a digit,
  // or a sign or a point followed by one.
  size_t start = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  if (!digit(start) && !(start < text.size() && text[start] == '.' && digit(start + 1))) return false;
  if (text[0] == '+') text.remove_prefix(1);  // from_chars takes no '+'.
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);  // 1e400: out of range.
  return ec == std::errc() && p == end && std::isfinite(out);
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
    bool star = true;  // Before the first byte: a new segment starts.
    for (size_t i = 0; i < t.size(); ++i) {
      // Only \* \? \\ are escapes; a backslash before anything else is literal.
      bool escaped = t[i] == '\\' && i + 1 < t.size() && (t[i + 1] == '*' || t[i + 1] == '?' || t[i + 1] == '\\');
      if (escaped) ++i;
      if (!escaped && t[i] == '*') {
        open_start_ |= i == 0;
        star = true;
        continue;
      }
      if (star) segments_.emplace_back(glob_.size(), 0);
      star = false;
      ++segments_.back().second;
      glob_ += t[i];
      glob_kind_ += !escaped && t[i] == '?' ? '?' : 'l';
    }
    open_end_ = star;
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
  // parse_address made an IPv4-mapped address IPv4: its prefix counts IPv6 bits.
  bool mapped = family_ == AF_INET && addr.find(':') != std::string_view::npos;
  int bits = family_ == AF_INET6 || mapped ? 128 : 32;
  prefix_ = bits;
  if (slash != std::string_view::npos) {
    std::string_view len = spec.substr(slash + 1);
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix_);
    if (len.empty() || ec != std::errc() || p != len.data() + len.size() || prefix_ < 0 || prefix_ > bits) {
      error = "malformed cidr: value '" + text_ + "': prefix length must be 0 to " + std::to_string(bits);
      return false;
    }
  }
  if (mapped && prefix_ >= 96) {
    prefix_ -= 96;  // ::ffff:10.0.0.0/104 is 10.0.0.0/8.
  } else if (mapped) {
    // Wider than the mapped block: an IPv6 range, which no IPv4 (or mapped) value matches.
    family_ = AF_INET6;
    std::memmove(net_ + 12, net_, 4);
    std::memcpy(net_, kMappedPrefix, sizeof kMappedPrefix);
  }
  return true;
}

std::string Matcher::cidr_network() const {
  if (kind_ != Cidr) return {};
  unsigned char net[16];
  std::memcpy(net, net_, sizeof net);
  int size = family_ == AF_INET ? 4 : 16;
  bool host_bits = false;
  for (int i = 0; i < size; ++i) {
    int keep = std::clamp(prefix_ - 8 * i, 0, 8);
    unsigned char mask = static_cast<unsigned char>((0xFF00u >> keep) & 0xFFu);
    host_bits |= (net[i] & ~mask & 0xFF) != 0;
    net[i] &= mask;
  }
  if (!host_bits) return {};
  char buf[INET6_ADDRSTRLEN];
  if (::inet_ntop(family_, net, buf, sizeof buf) == nullptr) return {};
  return std::string(buf) + "/" + std::to_string(prefix_);
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

bool Matcher::cidr_contains(FieldValue& value) const {
  if (value.ip_state == 0) value.ip_state = parse_address(value.text, value.family, value.addr) ? 2 : 1;
  if (value.ip_state != 2 || value.family != family_) return false;
  int full = prefix_ / 8;
  if (std::memcmp(value.addr, net_, static_cast<size_t>(full)) != 0) return false;
  int rest = prefix_ % 8;
  if (rest == 0) return true;
  unsigned mask = (0xFFu << (8 - rest)) & 0xFFu;
  return (value.addr[full] & mask) == (net_[full] & mask);
}

bool Matcher::num_holds(FieldValue& value) const {
  if (value.num_state == 0) value.num_state = parse_number(value.text, value.num) ? 2 : 1;
  if (value.num_state != 2) return false;
  double v = value.num;
  switch (op_) {
    case Gt:
      return v > number_;
    case Ge:
      return v >= number_;
    case Lt:
      return v < number_;
    case Le:
      return v <= number_;
  }
  return false;
}

// Where segment seg ends when it starts at value[at], or npos.
size_t Matcher::glob_at(size_t seg, std::string_view value, size_t at) const {
  auto [off, len] = segments_[seg];
  for (size_t i = off; i < off + len; ++i) {
    if (at >= value.size()) return std::string_view::npos;
    if (glob_kind_[i] == '?') {
      at += char_len(static_cast<unsigned char>(value[at]));
    } else if (glob_[i] == value[at]) {
      ++at;
    } else {
      return std::string_view::npos;
    }
  }
  return at <= value.size() ? at : std::string_view::npos;
}

// The end of the leftmost match of segment seg at or after from, or npos.
size_t Matcher::glob_find(size_t seg, std::string_view value, size_t from) const {
  auto [off, len] = segments_[seg];
  if (glob_kind_.find('?', off) >= off + len) {  // Literal: a plain search.
    size_t at = value.find(std::string_view(glob_).substr(off, len), from);
    return at == std::string_view::npos ? at : at + len;
  }
  for (size_t at = from; at < value.size(); at += char_len(static_cast<unsigned char>(value[at]))) {
    size_t end = glob_at(seg, value, at);
    if (end != std::string_view::npos) return end;
  }
  return std::string_view::npos;
}

// The segments between *s in order: the first anchored at the start (unless the wildcard
// starts with *), the last at the end (unless it ends with *), each other at its leftmost
// match after the one before, which is always the best choice.
bool Matcher::glob(std::string_view value) const {
  const size_t n = segments_.size();
  if (n == 0) return open_start_ || value.empty();
  size_t pos = 0;
  size_t first = 0, last = n;
  if (!open_start_) {
    pos = glob_at(0, value, 0);
    if (pos == std::string_view::npos) return false;
    first = 1;
    if (n == 1 && !open_end_) return pos == value.size();
  }
  if (!open_end_) {
    // The last segment must end the value: try its start positions from the right.
    last = n - 1;
    size_t start = value.size();
    for (;;) {
      if (start < pos) return false;
      if (glob_at(last, value, start) == value.size()) break;
      if (start == pos) return false;
      do --start;
      while (start > pos && (static_cast<unsigned char>(value[start]) & 0xC0) == 0x80);
    }
    value = value.substr(0, start);
  }
  for (size_t i = first; i < last; ++i) {
    pos = glob_find(i, value, pos);
    if (pos == std::string_view::npos) return false;
  }
  return true;
}

RegexSet::RegexSet() : set_(std::make_unique<re2::RE2::Set>(re2_options(), RE2::UNANCHORED)) {}
RegexSet::~RegexSet() = default;

int RegexSet::add(const re2::RE2& re) {
  if (size_ == kMax) return -1;
  std::string error;
  int i = set_->Add(re.pattern(), &error);
  if (i >= 0) ++size_;
  return i;
}

void RegexSet::compile() { ok_ = set_->Compile(); }

bool RegexSet::match(std::string_view text, uint64_t* bits) const {
  if (!ok_) return false;
  thread_local std::vector<int> hits;  // Keeps its capacity: no allocation once warm.
  hits.clear();
  RE2::Set::ErrorInfo info{};
  bool any = set_->Match(text, &hits, &info);
  if (!any && info.kind != RE2::Set::kNoError) return false;
  std::memset(bits, 0, sizeof(uint64_t) * (kMax / 64));
  for (int i : hits) bits[i / 64] |= uint64_t{1} << (i % 64);
  return true;
}

void Matcher::join(RegexSet& set) {
  if (kind_ == Regex) set_index_ = set.add(*re_);
}

bool Matcher::matches_other(FieldValue& value) const {
  switch (kind_) {
    case Any:
      return true;
    case Exact:
      return value.text == text_;
    case Wildcard:
      return glob(value.text);
    case Regex:
      if (set_index_ >= 0 && value.regexes != nullptr) {
        if (value.re_state == 0) value.re_state = value.regexes->match(value.text, value.re_bits) ? 2 : 1;
        if (value.re_state == 2) return (value.re_bits[set_index_ / 64] >> (set_index_ % 64) & 1u) != 0;
      }
      return RE2::PartialMatch(value.text, *re_);
    case Cidr:
      return cidr_contains(value);
    case Num:
      return num_holds(value);
  }
  return false;
}

}  // namespace cmrelay::route
