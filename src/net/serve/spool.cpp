#include "net/serve/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "report/diag.h"
#include "report/write_all.h"

namespace cmrelay::serve {
namespace {

constexpr std::string_view kTmpPrefix = ".tmp-";

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

bool make_dir(const std::string& dir, std::string& error) {
  if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return true;
    error = dir + ": not a directory";
    return false;
  }
  error = dir + ": cannot create: " + std::strerror(errno);
  return false;
}

// Calls f(name, stat) for every regular file in dir.
template <class F>
void each_file(const std::string& dir, F&& f) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
      f(std::string(e->d_name), st);
  }
  ::closedir(d);
}

uint64_t elapsed_ns(uint64_t since) { return now_ns() - since; }

}  // namespace

uint64_t arrival_ns(std::string_view name) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < name.size() && i < 20 && name[i] >= '0' && name[i] <= '9'; ++i)
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  return i > 0 && i < name.size() && name[i] == '-' ? v : 0;
}

bool Spool::open(const std::string& dir, const std::string& rejected, SpoolLimits limits, std::string& error) {
  dir_ = dir;
  rejected_ = rejected;
  limits_ = limits;
  if (!make_dir(dir_, error) || !make_dir(rejected_, error)) return false;
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) {
    error = dir_ + ": cannot open: " + std::strerror(errno);
    return false;
  }
  uint64_t files = 0, bytes = 0;
  each_file(dir_, [&](const std::string& name, const struct stat& st) {
    if (name.starts_with(kTmpPrefix)) {
      ::unlinkat(dir_fd_, name.c_str(), 0);  // Half-written: its sender got no 2xx.
    } else if (name.front() != '.') {
      ++files;
      bytes += static_cast<uint64_t>(st.st_size);
    }
  });
  files_ = files;
  bytes_ = bytes;
  return true;
}

StoreResult Spool::store(std::string_view capture, std::string& name, std::string& error, uint64_t& fsync_ns) {
  fsync_ns = 0;
  // Reserved before writing, so that concurrent stores cannot pass the limits together.
  uint64_t files = files_.fetch_add(1) + 1;
  uint64_t bytes = bytes_.fetch_add(capture.size()) + capture.size();
  auto unreserve = [&] {
    files_.fetch_sub(1);
    bytes_.fetch_sub(capture.size());
  };
  if (files > limits_.max_files || bytes > limits_.max_bytes) {
    unreserve();
    return StoreResult::Full;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%020llu-%08llu.http", static_cast<unsigned long long>(now_ns()),
                static_cast<unsigned long long>(seq_.fetch_add(1) % 100000000));
  name = buf;
  std::string tmp = std::string(kTmpPrefix) + name;
  int fd = ::openat(dir_fd_, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write_all(fd, capture);
  uint64_t t0 = now_ns();
  ok = ok && ::fsync(fd) == 0;
  fsync_ns += elapsed_ns(t0);
  int saved = errno;
  if (fd >= 0 && ::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  ok = ok && ::renameat(dir_fd_, tmp.c_str(), dir_fd_, name.c_str()) == 0;
  if (!ok) saved = errno;
  t0 = now_ns();
  // The rename itself must survive a crash too.
  if (ok && ::fsync(dir_fd_) != 0) {
    saved = errno;
    ok = false;
    ::unlinkat(dir_fd_, name.c_str(), 0);
  }
  fsync_ns += elapsed_ns(t0);
  if (ok) {
    last_failed_ = false;
    return StoreResult::Stored;
  }
  ::unlinkat(dir_fd_, tmp.c_str(), 0);
  unreserve();
  last_failed_ = true;
  error = dir_ + ": cannot store a request: " + std::strerror(saved);
  return saved == ENOSPC || saved == EDQUOT ? StoreResult::Full : StoreResult::Failed;
}

std::vector<SpoolFile> Spool::list() const {
  std::vector<SpoolFile> out;
  each_file(dir_, [&](const std::string& name, const struct stat& st) {
    if (name.front() != '.') out.push_back({name, static_cast<uint64_t>(st.st_size)});
  });
  std::sort(out.begin(), out.end(), [](const SpoolFile& a, const SpoolFile& b) { return a.name < b.name; });
  return out;
}

void Spool::remove(const SpoolFile& f) {
  if (::unlinkat(dir_fd_, f.name.c_str(), 0) != 0 && errno != ENOENT) {
    diag::say("serve: %s: cannot remove: %s", path(f.name).c_str(), std::strerror(errno));
    return;
  }
  files_.fetch_sub(1);
  bytes_.fetch_sub(f.bytes);
}

bool Spool::reject(const SpoolFile& f, std::string_view reason) {
  std::string to = rejected_ + "/" + f.name;
  std::string why = to + ".reason";
  int fd = ::open(why.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write_all(fd, std::string(reason) + "\n") && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  ok = ok && ::rename(path(f.name).c_str(), to.c_str()) == 0;
  if (!ok) {
    diag::say("serve: %s: cannot move to %s: %s (kept in the spool)", path(f.name).c_str(), rejected_.c_str(),
              std::strerror(errno));
    return false;
  }
  files_.fetch_sub(1);
  bytes_.fetch_sub(f.bytes);
  return true;
}

double Spool::oldest_age() const {
  std::vector<SpoolFile> files = list();
  if (files.empty()) return 0;
  uint64_t t = arrival_ns(files.front().name);
  uint64_t now = now_ns();
  return t == 0 || t > now ? 0 : static_cast<double>(now - t) / 1e9;
}

bool Spool::writable() const { return ::access(dir_.c_str(), W_OK) == 0 && !last_failed_.load(); }

}  // namespace cmrelay::serve
