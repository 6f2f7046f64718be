#include "pipeline/reject_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "output/write_all.h"

namespace cmrelay {

RejectFile::~RejectFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool RejectFile::open(const std::string& path, std::string& error) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error = path + ": cannot open the reject file: " + std::strerror(errno);
    return false;
  }
  return true;
}

// Advisory, and taken by every cmrelay writing the file: a streamed record needs many
// write()s, and no other run's record may land between them.
void RejectFile::lock() {
  while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
  }
}

void RejectFile::unlock() { ::flock(fd_, LOCK_UN); }

bool RejectFile::write(std::string_view record) {
  lock();
  const bool ok = append_record(fd_, record);
  const int err = errno;
  unlock();
  if (ok) return true;
  std::fprintf(stderr, "cmrelay: %s: cannot write the reject file: %s; the record follows on stderr\n", path_.c_str(),
               std::strerror(err));
  std::fflush(stderr);
  write_all(STDERR_FILENO, record);
  return false;
}

void RejectFile::begin(std::string_view head, std::string what) {
  lock();
  streaming_ = true;
  stream_failed_ = false;
  what_ = std::move(what);
  struct stat st {};
  stream_start_ = ::fstat(fd_, &st) == 0 ? static_cast<long long>(st.st_size) : -1;
  part(head);
}

void RejectFile::fail(int err) {
  stream_failed_ = true;
  // Under the lock the file's end is this record's: cut its part off, so that the file
  // stays line-clean.
  if (stream_start_ < 0 || ::ftruncate(fd_, static_cast<off_t>(stream_start_)) != 0) {
    write_all(fd_, "\n");
  }
  std::fprintf(stderr,
               "cmrelay: %s: cannot write the reject file: %s; the body of %s is not kept in it (it is still in "
               "the input, unless that was a pipe)\n",
               path_.c_str(), std::strerror(err), what_.c_str());
}

void RejectFile::part(std::string_view bytes) {
  if (!streaming_ || stream_failed_) return;
  if (!write_all(fd_, bytes)) fail(errno == 0 ? ENOSPC : errno);
}

bool RejectFile::end(std::string_view tail) {
  part(tail);
  streaming_ = false;
  unlock();
  return !stream_failed_;
}

}  // namespace cmrelay
