// Content codings of a captured request body. gzip (x-gzip) and deflate are decoded with
// zlib; the decoded size is bounded by a limit (--max-body), so a small compressed body that
// expands without end (a "zip bomb") is rejected once, holding no more than the limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cmrelay {

enum class Coding { Identity, Gzip, Deflate };

// Reads one Content-Encoding (or non-chunked Transfer-Encoding) list into coding. False, with
// error naming what cannot be decoded, for an unknown coding or more than one coding.
bool parse_coding(std::string_view value, Coding& coding, std::string& error);

// Decodes in into out (replacing it). False with error set when the data is not valid for the
// coding, or when it decodes to more than limit bytes.
bool inflate_body(std::string_view in, Coding coding, size_t limit, std::string& out, std::string& error);

}  // namespace cmrelay
