#include "cli/full.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "report/diag.h"

namespace cmrelay::cli {

namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// The directory of the running executable, as the kernel knows it; where /proc is not mounted
// (a bare chroot), from argv[0]: a path as given, or the first match on PATH.
std::string own_dir(const char* argv0) {
  std::string path(4096, '\0');
  ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
  if (n > 0 && static_cast<size_t>(n) < path.size()) {
    path.resize(static_cast<size_t>(n));
    return dir_of(path);
  }
  std::string name = argv0 != nullptr ? argv0 : "";
  if (name.find('/') != std::string::npos) {
    char* real = ::realpath(name.c_str(), nullptr);
    std::string dir = real != nullptr ? dir_of(real) : std::string();
    std::free(real);
    return dir;
  }
  const char* env = std::getenv("PATH");
  std::string_view rest = env != nullptr ? env : "";
  while (!name.empty() && !rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return own_dir(candidate.c_str());
  }
  return {};
}

}  // namespace

int exec_full(char** argv, const char* relpath) {
  std::string dir = own_dir(argv[0]);
  if (dir.empty()) {
    diag::say("cannot find its own executable (neither /proc/self/exe nor %s)", argv[0]);
    return kUsage;
  }
  const std::string candidates[] = {dir + "/cmrelay-full", dir + "/" + relpath};
  int first_error = 0;
  for (const std::string& path : candidates) {
    ::execv(path.c_str(), argv);  // Returns only on failure.
    if (first_error == 0 || errno != ENOENT) first_error = errno;
  }
  diag::say("%s needs %s (or %s): %s; reinstall cmrelay", argv[1], candidates[1].c_str(), candidates[0].c_str(),
            std::strerror(first_error));
  return kUsage;
}

}  // namespace cmrelay::cli
