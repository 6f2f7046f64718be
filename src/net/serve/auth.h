// Who may post to cmrelay serve: the accepted tokens (from a file, one per line, or the
// CMRELAY_TOKEN environment variable), compared in constant time, and an optional list of
// client address ranges. Tokens are never printed; errors name the file, not its lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "route/matcher.h"

namespace cmrelay::serve {

class Auth {
 public:
  // Adds every non-blank line of path (surrounding blanks trimmed; '#' lines are comments;
  // a UTF-8 byte order mark at its start left out).
  // False with error set when the file cannot be read or holds no token.
  bool load_file(const std::string& path, std::string& error);
  // Adds the tokens of an environment value: separated by commas, blanks or newlines.
  void add_tokens(std::string_view text);
  bool has_tokens() const { return !tokens_.empty(); }
  // True when candidate equals one of the tokens. Takes the same time whichever token
  // (or none) it matches and however many of its bytes are right.
  bool accepts(std::string_view candidate) const;

  // "10.0.0.0/8", "2001:db8::/32" or a single address; false with error set.
  bool allow(const std::string& cidr, std::string& error);
  // True when no range was given, or the address (text form) is in one of them.
  bool allowed(std::string_view address) const;

 private:
  std::vector<std::string> tokens_;
  std::vector<route::Matcher> ranges_;
};

// Compares a and b without stopping at the first difference (nor at a length mismatch).
bool equal_constant_time(std::string_view a, std::string_view b);

// A request target as it may be printed (logs, metrics): the path without its query, with
// every segment masked ("***") except a first one that names a route (hook, healthz, readyz,
// metrics, in any case). Whatever a client sends, a token never gets through: "/hook/T",
// "//hook/T", "/hook//T", "/Hook/T" and "/T" print as "/hook/***", "//hook/***",
// "/hook//***", "/Hook/***" and "/***".
std::string printable_path(std::string_view target);

}  // namespace cmrelay::serve
