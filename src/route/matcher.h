// One value of a condition, compiled once at load: its form picks how it matches.
//   "*"              any value (the key exists)
//   /re/             RE2, unanchored (partial match) unless the pattern anchors itself
//   a*b?             wildcard: * any run, ? one character (UTF-8), \* \? \\ literal (any
//                    other backslash is itself); whole value
//   cidr:NET/LEN     the value is an IPv4 or IPv6 address inside the range; IPv4-mapped
//                    addresses (::ffff:10.1.2.3) and ranges (::ffff:10.0.0.0/104) are IPv4
//   num:OP:N         the value is a number and OP (gt ge lt le) N holds
//   anything else    exact, case-sensitive
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cmrelay::route {

// The regex values of every condition on one key, matched in one RE2::Set pass per event.
class RegexSet {
 public:
  static constexpr int kMax = 256;  // Regexes past this are matched one by one.
  RegexSet();
  ~RegexSet();
  int add(const re2::RE2& re);  // Its index, or -1 when the set is full.
  void compile();
  // Sets the bit of every regex that matches text; false when the set cannot run (then
  // the caller matches one by one).
  bool match(std::string_view text, uint64_t* bits) const;

 private:
  std::unique_ptr<re2::RE2::Set> set_;
  int size_ = 0;
  bool ok_ = false;
};

// A field's value, with its number, its address and its regex matches worked out at most
// once however many matchers (of however many cases) read it.
struct FieldValue {
  std::string_view text;
  const RegexSet* regexes;
  int8_t num_state;  // 0 not parsed yet, 1 not a number, 2 number.
  int8_t ip_state;   // 0 not parsed yet, 1 not an address, 2 address.
  int8_t re_state;   // 0 set not run yet, 1 could not run, 2 re_bits hold its matches.
  int family;
  double num;
  unsigned char addr[16];
  uint64_t re_bits[RegexSet::kMax / 64];

  FieldValue() = default;  // Uninitialised: a slot not yet used.
  explicit FieldValue(std::string_view t, const RegexSet* set = nullptr)
      : text(t), regexes(set), num_state(0), ip_state(0), re_state(0), family(0), num(0) {}
};

class Matcher {
 public:
  enum Kind { Any, Exact, Wildcard, Regex, Cidr, Num };

  // Compiles text; false with error set ("invalid regex /(/: missing ): (" ...).
  bool compile(const std::string& text, std::string& error);
  bool matches(FieldValue& value) const {
    if (kind_ == Exact) return value.text == text_;  // The common case, inline.
    return kind_ == Any || matches_other(value);
  }
  bool matches(std::string_view value) const {
    FieldValue v(value);
    return matches(v);
  }

  // A regex joins the set of its key, which then decides it for each event.
  void join(RegexSet& set);
  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }
  // A cidr: range written with host bits set (10.1.2.3/8): the range it means
  // ("10.0.0.0/8"); otherwise "".
  std::string cidr_network() const;

  Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  ~Matcher();

 private:
  enum NumOp { Gt, Ge, Lt, Le };
  bool matches_other(FieldValue& value) const;
  bool compile_cidr(std::string_view spec, std::string& error);
  bool compile_num(std::string_view spec, std::string& error);
  bool cidr_contains(FieldValue& value) const;
  bool num_holds(FieldValue& value) const;
  bool glob(std::string_view value) const;
  size_t glob_at(size_t seg, std::string_view value, size_t at) const;
  size_t glob_find(size_t seg, std::string_view value, size_t from) const;

  Kind kind_ = Exact;
  std::string text_;
  std::unique_ptr<re2::RE2> re_;
  int set_index_ = -1;                               // Regex: its index in the key's RegexSet.
  std::string glob_;                                 // Wildcard: the pattern without escapes...
  std::string glob_kind_;                            // ...and per byte: 'l' literal, '?' one character.
  std::vector<std::pair<size_t, size_t>> segments_;  // Runs between the *s: offset, length.
  bool open_start_ = false;                          // The wildcard starts with *...
  bool open_end_ = false;                            // ...ends with *.
  int family_ = 0;                                   // AF_INET or AF_INET6.
  unsigned char net_[16] = {};
  int prefix_ = 0;
  NumOp op_ = Gt;
  double number_ = 0;
};

// A finite number written in full: a digit, or a sign or '.' and a digit, first, then what
// from_chars reads, with no bytes left over (so not inf, nan, 0x10 or 1e400); false otherwise.
bool parse_number(std::string_view text, double& out);

}  // namespace cmrelay::route
