// One value of a condition, compiled once at load: its form picks how it matches.
//   "*"              any value (the key exists)
//   /re/             RE2, unanchored (partial match) unless the pattern anchors itself
//   a*b?             wildcard: * any run, ? one character, \* \? \\ literal; whole value
//   cidr:NET/LEN     the value is an IPv4 or IPv6 address inside the range
//   num:OP:N         the value is a number and OP (gt ge lt le) N holds
//   anything else    exact, case-sensitive
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace cmrelay::route {

class Matcher {
 public:
  enum Kind { Any, Exact, Wildcard, Regex, Cidr, Num };

  // Compiles text; false with error set ("invalid regex /(/: missing ): (" ...).
  bool compile(const std::string& text, std::string& error);
  bool matches(std::string_view value) const;

  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }

  Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  ~Matcher();

 private:
  enum NumOp { Gt, Ge, Lt, Le };
  bool compile_cidr(std::string_view spec, std::string& error);
  bool compile_num(std::string_view spec, std::string& error);
  bool cidr_contains(std::string_view value) const;
  bool num_holds(std::string_view value) const;

  Kind kind_ = Exact;
  std::string text_;
  std::unique_ptr<re2::RE2> re_;
  int family_ = 0;             // AF_INET or AF_INET6.
  unsigned char net_[16] = {};
  int prefix_ = 0;
  NumOp op_ = Gt;
  double number_ = 0;
};

// A number written in full (from_chars, no trailing bytes); false otherwise.
bool parse_number(std::string_view text, double& out);

}  // namespace cmrelay::route
