// One log line as one JSON object, for the logs a machine reads (serve --log-format json):
// {"time":"2026-11-22T01:30:00Z","kind":KIND,"key":"value",...}, every value a string, in
// the order given. JSON strings must be UTF-8: an invalid byte (a client's path may hold any)
// is written as the text \xNN; control characters are escaped as JSON escapes them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmrelay {

using LogFields = std::vector<std::pair<std::string_view, std::string>>;

// The object, without a newline.
std::string json_line(std::string_view kind, const LogFields& fields);

}  // namespace cmrelay
