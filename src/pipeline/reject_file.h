// The --reject file: one NDJSON record per rejected body, appended (O_APPEND; mode 0600, as
// it holds raw webhook bodies). Every record is written under an exclusive flock() on the
// file, so that the records of concurrent runs never interleave, also a body too large to
// hold, which is streamed in parts. A record the file does not take goes to stderr instead:
// whole, or for a streamed one (whose first parts are gone) a line saying which input bytes
// are not kept; the file is left line-clean either way.
#pragma once

#include <string>
#include <string_view>

namespace cmrelay {

class RejectFile {
 public:
  RejectFile() = default;
  ~RejectFile();
  RejectFile(const RejectFile&) = delete;
  RejectFile& operator=(const RejectFile&) = delete;

  // Opens (creating, 0600) path for appending. False with error set.
  bool open(const std::string& path, std::string& error);
  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

  // One whole record, ending in a newline. False when it went to stderr instead.
  bool write(std::string_view record);

  // A streamed record: head, any number of parts, then end(tail). what names the body in
  // messages ("FILE:RECORD"). end() is false when the record could not be written whole:
  // then it is cut off the file again and stderr says so.
  void begin(std::string_view head, std::string what);
  void part(std::string_view bytes);
  bool end(std::string_view tail);
  bool streaming() const { return streaming_; }

 private:
  void lock();
  void unlock();
  void fail(int err);

  std::string path_;
  int fd_ = -1;
  bool streaming_ = false;
  bool stream_failed_ = false;
  long long stream_start_ = 0;  // File size when the streamed record began.
  std::string what_;
};

}  // namespace cmrelay
