#include "net/serve/shared_seen.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "report/write_all.h"
#include "text/ascii.h"

namespace cmrelay::serve {

bool spool_identity(const std::string& spool_dir, std::string& id, std::string& error) {
  const std::string path = spool_dir + "/.fleet-id";
  std::ifstream in(path);
  if (in && std::getline(in, id) && !text::trim(id).empty()) {
    id = std::string(text::trim(id));
    return true;
  }
  std::random_device rd;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  id = buf;
  // Made whole under another name, then renamed: a crash never leaves a half identity.
  const std::string tmp = path + ".new";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const std::string line = id + "\n";
  bool ok = fd >= 0 && write_all(fd, line) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) error = path + ": cannot write: " + std::strerror(errno);
  return ok;
}

SharedSeen::SharedSeen(state::RedisLink& link, std::chrono::milliseconds window, std::string owner)
    : link_(link), window_ms_(std::to_string(std::max<int64_t>(1, window.count()))), owner_(std::move(owner)) {}

bool SharedSeen::taken_elsewhere(const std::string& key, std::string_view file) {
  const std::string name = "cmrelay:seen:" + key;
  const std::string claim = owner_ + "/" + std::string(file);
  if (!link_.command({"SET", name, claim, "NX", "PX", window_ms_}).nil()) return false;  // Claimed now.
  // Claimed before: by this file (read again), or by another. Gone meanwhile: nobody's.
  state::Reply holder = link_.command({"GET", name});
  return !holder.nil() && holder.str() != claim;
}

}  // namespace cmrelay::serve
