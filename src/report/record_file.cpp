#include "report/record_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "report/diag.h"
#include "report/write_all.h"

namespace cmrelay {

RecordFile::~RecordFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool RecordFile::open(const std::string& path, std::string& error, bool locked) {
  path_ = path;
  locked_ = locked;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error = path + ": cannot open the " + what_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

void RecordFile::lock() {
  while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
  }
}

void RecordFile::unlock() { ::flock(fd_, LOCK_UN); }

bool RecordFile::append(std::string_view record) {
  if (locked_) lock();
  const bool ok = append_record(fd_, record);
  const int err = errno;
  if (locked_) unlock();
  if (ok) return true;
  diag::say("%s: cannot write the %s: %s; the record follows on stderr", path_.c_str(), what_.c_str(),
            std::strerror(err));
  std::fflush(stderr);
  write_all(STDERR_FILENO, record);
  return false;
}

}  // namespace cmrelay
