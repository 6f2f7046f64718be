// Expands command-line paths into the inputs to read, in a stable order, and says what a
// directory walk leaves out.
#pragma once

#include <string>
#include <vector>

namespace cmrelay {

inline constexpr const char* kStdinName = "<stdin>";

struct Inputs {
  std::vector<std::string> files;       // Paths to read, in order; "-" is standard input.
  std::vector<std::string> unreadable;  // "PATH: reason": a path or directory that cannot be read or listed.
  std::vector<std::string> skipped;     // "PATH: reason": files a directory walk does not read.
};

// What a directory walk reads besides the capture file names (is_capture_file).
struct WalkOptions {
  bool all_files = false;            // Every regular file.
  std::vector<std::string> include;  // Files whose name matches one of these globs (fnmatch, any case).
};

// Each path is a file, "-" (standard input) or a directory, walked recursively, each
// directory's files in sorted order (by their whole path), for the files that can hold
// captured bodies (is_capture_file), and those walk adds. No paths means
// stdin. Hidden entries (".name": a capture tool's temporary files, .git) are not inputs
// and are passed over without a word. Every other entry a walk does not read is in
// skipped: a name is_capture_file refuses, a FIFO, socket or device, a dangling symbolic
// link, and a symbolic link to a directory (not followed, so that a walk cannot loop or
// leave the tree; name the target as a path to read it). A subdirectory that cannot be
// listed goes to unreadable, and the walk goes on with the rest.
Inputs expand_inputs(const std::vector<std::string>& paths, const WalkOptions& walk = {});

// Files read when a directory is walked: .json .ndjson .jsonl .http .txt .form .log .req
// .raw .body in any case (B.JSON), or no extension.
bool is_capture_file(const std::string& name);

}  // namespace cmrelay
