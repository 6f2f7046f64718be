#include "input/sources.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>

namespace cmrelay {

bool is_capture_file(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return true;
  static constexpr std::array<std::string_view, 10> kExt{".json", ".ndjson", ".jsonl", ".http", ".txt",
                                                         ".form", ".log", ".req", ".raw", ".body"};
  std::string_view ext(name.c_str() + dot);
  return std::find(kExt.begin(), kExt.end(), ext) != kExt.end();
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, std::vector<std::string>& errors) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  if (paths.empty()) {
    out.emplace_back("-");
    return out;
  }
  for (const std::string& p : paths) {
    std::error_code ec;
    if (p == "-") {
      out.push_back(p);
      continue;
    }
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      errors.push_back(p + ": cannot read: " + (ec ? ec.message() : "no such file or directory"));
      continue;
    }
    if (!fs::is_directory(st)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && is_capture_file(name)) found.push_back(it->path().string());
    }
    if (ec) errors.push_back(p + ": cannot list: " + ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace cmrelay
