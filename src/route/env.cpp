#include "route/env.h"

namespace cmrelay::route {

bool expand_env(std::string_view in, std::string& out, std::string& error,
                const std::function<const char*(const std::string&)>& lookup) {
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    size_t open = in.find("${", i);
    if (open == std::string_view::npos) break;
    out.append(in.substr(i, open - i));
    size_t close = in.find('}', open + 2);
    if (close == std::string_view::npos) {
      error = "unterminated ${ (expected ${NAME})";
      return false;
    }
    std::string name(in.substr(open + 2, close - open - 2));
    const char* value = name.empty() ? nullptr : lookup(name);
    if (value == nullptr) {
      error = "undefined environment variable ${" + name + "}";
      return false;
    }
    out.append(value);
    i = close + 1;
  }
  if (i < in.size()) out.append(in.substr(i));
  return true;
}

}  // namespace cmrelay::route
