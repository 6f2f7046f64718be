// application/x-www-form-urlencoded decoding, lenient the way real senders need: '+' is a
// space, an invalid '%' escape stays literal (both text/percent.h), and a body pasted
// unencoded from documentation (spaces, '{', '$', a lone '%', JSON or Java-map text with '&'
// inside braces) still decodes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace cmrelay::form {

// Calls field(name, value) for every field, in order, both decoded. A value that starts with
// an unencoded '{' or '[' runs to its matching bracket, so '&' inside it does not split it.
void decode(std::string_view body, const std::function<void(std::string_view name, std::string_view value)>& field);

}  // namespace cmrelay::form
