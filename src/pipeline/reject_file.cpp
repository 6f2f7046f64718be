#include "pipeline/reject_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "report/diag.h"
#include "report/write_all.h"

namespace cmrelay {

bool RejectFile::write(std::string_view record) { return file_.append(record); }

// A streamed record needs many write()s: the lock every writer of the file takes (each
// whole record too) keeps other runs' records from landing between them.
void RejectFile::begin(std::string_view head, std::string what) {
  file_.lock();
  streaming_ = true;
  stream_failed_ = false;
  what_ = std::move(what);
  struct stat st {};
  stream_start_ = ::fstat(fd(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
  part(head);
}

void RejectFile::fail(int err) {
  stream_failed_ = true;
  // Under the lock the file's end is this record's: cut its part off, so that the file
  // stays line-clean.
  if (stream_start_ < 0 || ::ftruncate(fd(), static_cast<off_t>(stream_start_)) != 0) {
    write_all(fd(), "\n");
  }
  diag::say(
      "%s: cannot write the reject file: %s; the body of %s is not kept in it (it is still in "
      "the input, unless that was a pipe)",
      path().c_str(), std::strerror(err), what_.c_str());
}

void RejectFile::part(std::string_view bytes) {
  if (!streaming_ || stream_failed_) return;
  if (!write_all(fd(), bytes)) fail(errno == 0 ? ENOSPC : errno);
}

bool RejectFile::end(std::string_view tail) {
  part(tail);
  streaming_ = false;
  file_.unlock();
  return !stream_failed_;
}

}  // namespace cmrelay
