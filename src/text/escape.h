// Escaping for diagnostics: text that came from input (file names, keys, values, titles,
// a server's error message) printed on a terminal or into a log, where it must neither
// move the cursor, recolour, rewrite a line, reverse the text that follows (bidi
// overrides), nor start a line of its own (a forged "cmrelay:" line). One input, one line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cmrelay::text {

// s with every byte or code point a terminal or log would act on written as visible text:
//   backslash                        -> \\   (so that the escaped text reads back unambiguously)
//   \t \n \r                         -> \t \n \r
//   other C0 controls, DEL           -> \xNN (ESC is \x1b, BEL \x07, NUL \x00)
//   invalid UTF-8, byte by byte      -> \xNN
//   C1 controls U+0080-U+009F        -> \u{80} ... \u{9f}
//   bidi and line-breaking controls  -> \u{...}: U+061C, U+200E, U+200F, U+2028, U+2029,
//                                       U+202A-U+202E, U+2066-U+2069, and U+FEFF
// Everything else (printable ASCII, valid UTF-8 text in any script) is kept byte for byte,
// so the result is always valid UTF-8 without a control character.
std::string escape(std::string_view s);

// The text escape() made s from, so that what a table showed can be pasted back (alerts
// --forget): every escape above read back. nullopt when s holds a backslash that starts no
// escape escape() writes.
std::optional<std::string> unescape(std::string_view s);

}  // namespace cmrelay::text
