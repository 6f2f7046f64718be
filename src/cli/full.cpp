#include "cli/full.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"

namespace cmrelay::cli {

namespace {

constexpr std::string_view kFullCommands[] = {"send", "serve"};

// The directory of the running executable, as the kernel knows it (not argv[0], which the
// caller chooses and PATH resolves).
std::string own_dir() {
  std::string path(4096, '\0');
  ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
  if (n <= 0 || static_cast<size_t>(n) >= path.size()) return {};
  path.resize(static_cast<size_t>(n));
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

bool needs_full(std::string_view command) {
  for (std::string_view c : kFullCommands) {
    if (command == c) return true;
  }
  return false;
}

int exec_full(char** argv, const char* relpath) {
  std::string dir = own_dir();
  if (dir.empty()) {
    std::fprintf(stderr, "cmrelay: cannot find its own executable (/proc/self/exe): %s\n", std::strerror(errno));
    return kUsage;
  }
  const std::string candidates[] = {dir + "/cmrelay-full", dir + "/" + relpath};
  int first_error = 0;
  for (const std::string& path : candidates) {
    ::execv(path.c_str(), argv);  // Returns only on failure.
    if (first_error == 0 || errno != ENOENT) first_error = errno;
  }
  std::fprintf(stderr, "cmrelay: %s needs %s (or %s): %s; reinstall cmrelay\n", argv[1], candidates[1].c_str(),
               candidates[0].c_str(), std::strerror(first_error));
  return kUsage;
}

}  // namespace cmrelay::cli
