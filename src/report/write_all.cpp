#include "report/write_all.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace cmrelay {

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool append_record(int fd, std::string_view record) {
  // No second write() for a rest: another run's record could already follow the part.
  ssize_t n;
  do {
    n = ::write(fd, record.data(), record.size());
  } while (n < 0 && errno == EINTR);
  if (n >= 0 && static_cast<size_t>(n) == record.size()) return true;
  const int err = n < 0 ? errno : ENOSPC;  // A short write means the space ran out.
  if (n > 0 && record[static_cast<size_t>(n) - 1] != '\n') {
    off_t end = ::lseek(fd, 0, SEEK_CUR);
    ssize_t nl;
    do {
      nl = ::write(fd, "\n", 1);
    } while (nl < 0 && errno == EINTR);
    struct stat st {};
    if (nl != 1 && end >= n && ::fstat(fd, &st) == 0 && st.st_size == end) {
      (void)!::ftruncate(fd, end - n);  // Best effort: the caller reports err either way.
    }
  }
  errno = err;
  return false;
}

}  // namespace cmrelay
