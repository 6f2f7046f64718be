#include "input/sources.h"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>

#include "text/ascii.h"
#include "text/escape.h"

namespace cmrelay {
namespace {

namespace fs = std::filesystem;

const char* kind_name(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::fifo:
      return "a FIFO";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::character:
      return "a character device";
    default:
      return "not a regular file";
  }
}

// Lists dir into out; subdirectories found go to pending.
bool walk_reads(const std::string& name, const WalkOptions& walk) {
  if (walk.all_files || is_capture_file(name)) return true;
  return std::any_of(walk.include.begin(), walk.include.end(),
                     [&](const std::string& glob) { return ::fnmatch(glob.c_str(), name.c_str(), FNM_CASEFOLD) == 0; });
}

void list_dir(const fs::path& dir, const WalkOptions& walk, Inputs& out, std::vector<fs::path>& pending) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code ec2;
    const fs::file_status link = it->symlink_status(ec2);
    const fs::file_status st = it->status(ec2);
    if (fs::is_symlink(link) && (ec2 || !fs::exists(st))) {
      out.skipped.push_back(text::escape(p.string()) + ": skipped: a dangling symbolic link" +
                            (ec2 ? " (" + ec2.message() + ")" : ""));
    } else if (ec2) {
      out.unreadable.push_back(text::escape(p.string()) + ": cannot read: " + ec2.message());
    } else if (fs::is_directory(st) && fs::is_symlink(link)) {
      out.skipped.push_back(text::escape(p.string()) +
                            ": skipped: a symbolic link to a directory (not followed; name it as a PATH to read it)");
    } else if (fs::is_directory(st)) {
      pending.push_back(p);
    } else if (!fs::is_regular_file(st)) {
      out.skipped.push_back(text::escape(p.string()) + ": skipped: " + kind_name(st));
    } else if (!walk_reads(name, walk)) {
      out.skipped.push_back(text::escape(p.string()) +
                            ": skipped: not a capture file name (--include GLOB or --all-files reads it)");
    } else {
      out.files.push_back(p.string());
    }
  }
  if (ec) out.unreadable.push_back(text::escape(dir.string()) + ": cannot list: " + ec.message());
}

}  // namespace

bool is_capture_file(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return true;
  static constexpr std::array<std::string_view, 10> kExt{".json", ".ndjson", ".jsonl", ".http", ".txt",
                                                         ".form", ".log",    ".req",   ".raw",  ".body"};
  std::string_view ext(name.c_str() + dot);
  return std::any_of(kExt.begin(), kExt.end(), [&](std::string_view k) { return text::iequals(ext, k); });
}

Inputs expand_inputs(const std::vector<std::string>& paths, const WalkOptions& walk) {
  Inputs out;
  if (paths.empty()) {
    out.files.emplace_back("-");
    return out;
  }
  for (const std::string& p : paths) {
    std::error_code ec;
    if (p == "-") {
      out.files.push_back(p);
      continue;
    }
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      out.unreadable.push_back(text::escape(p) + ": cannot read: " + (ec ? ec.message() : "no such file or directory"));
      continue;
    }
    if (!fs::is_directory(st)) {
      out.files.push_back(p);
      continue;
    }
    // An explicit stack: no recursion however deep the tree.
    Inputs found;
    std::vector<fs::path> pending{p};
    while (!pending.empty()) {
      fs::path dir = std::move(pending.back());
      pending.pop_back();
      list_dir(dir, walk, found, pending);
    }
    for (std::vector<std::string>* v : {&found.files, &found.unreadable, &found.skipped})
      std::sort(v->begin(), v->end());
    out.files.insert(out.files.end(), found.files.begin(), found.files.end());
    out.unreadable.insert(out.unreadable.end(), found.unreadable.begin(), found.unreadable.end());
    out.skipped.insert(out.skipped.end(), found.skipped.begin(), found.skipped.end());
  }
  return out;
}

}  // namespace cmrelay
