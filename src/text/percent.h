// The project's one percent-encoding and decoding (RFC 3986 "%XX", either case of hex digit), lenient the
// way real senders need: an invalid or cut-short '%' escape stays literal ("50% of %2" is
// kept as it is), and nothing is refused. Used for form bodies (where '+' is a space) and
// for the secret parts of URLs (where a server may have kept '+').
#pragma once

#include <string>
#include <string_view>

namespace cmrelay::text {

// What '+' decodes to: a space (application/x-www-form-urlencoded), or itself.
enum class Plus { Space, Kept };

// s percent-decoded into out (out is replaced, not appended to).
void percent_decode(std::string_view s, std::string& out, Plus plus = Plus::Space);

// s percent-encoded: every byte but RFC 3986's unreserved ones (letters, digits, - . _ ~)
// as "%XX" (upper-case hex), for a query value or a form field.
std::string percent_encode(std::string_view s);

}  // namespace cmrelay::text
