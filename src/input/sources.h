// Expands command-line paths into the inputs to read, in a stable order.
#pragma once

#include <string>
#include <vector>

namespace cmrelay {

inline constexpr const char* kStdinName = "<stdin>";

// Each path is a file, "-" (standard input) or a directory, walked recursively in sorted
// order for files that can hold captured bodies (see is_capture_file). No paths means stdin.
// A path that does not exist or cannot be listed goes to errors, as "PATH: reason".
std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, std::vector<std::string>& errors);

// Files read when a directory is walked: .json .ndjson .jsonl .http .txt .form .log .req
// .raw .body, or no extension; hidden files and folders are skipped.
bool is_capture_file(const std::string& name);

}  // namespace cmrelay
