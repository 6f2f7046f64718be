// ${VAR} expansion for channel urls and header values.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace cmrelay::route {

// Replaces every ${NAME} in in with lookup(NAME). False with error set (naming the variable,
// never a value) when one is undefined or a ${ is not closed.
bool expand_env(std::string_view in, std::string& out, std::string& error,
                const std::function<const char*(const std::string&)>& lookup);

}  // namespace cmrelay::route
