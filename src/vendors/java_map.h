// Java map text, as Alibaba's legacy threshold callback sends its `dimensions`:
// "{userId=1650000000000001, instanceId=i-bp1xyz}" (what java.util.AbstractMap.toString
// writes). Keys run to the first '='; values may hold '=', spaces, and nested {...} or
// [...] text, which is kept as is.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmrelay::java_map {

using Entry = std::pair<std::string, std::string>;

// Parses text into out (in the order written; keys and values trimmed of ASCII whitespace:
// spaces, tabs, line breaks). The outer braces may be missing. A comma-separated piece
// without '=' belongs to the previous value ("{tags=a,b, x=1}" gives tags "a,b"). Returns
// false with error set when the text is not a map: unbalanced brackets, text after the
// closing brace, an entry without a key, or a first entry without '='.
bool parse(std::string_view text, std::vector<Entry>& out, std::string& error);

}  // namespace cmrelay::java_map
