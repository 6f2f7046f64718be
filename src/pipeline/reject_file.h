// The --reject file: one NDJSON record per rejected body, appended through the one record
// writer (output/record_file.h: O_APPEND, mode 0600, as it holds raw webhook bodies). Every
// record is written under an exclusive flock() on the file, so that the records of concurrent runs never interleave,
// also a body too large to hold, which is streamed in parts. A record the file does not take goes to stderr instead:
// whole, or for a streamed one (whose first parts are gone) a line saying which input bytes
// are not kept; the file is left line-clean either way.
#pragma once

#include <string>
#include <string_view>

#include "report/record_file.h"

namespace cmrelay {

class RejectFile {
 public:
  // Opens (creating, 0600) path for appending. False with error set.
  bool open(const std::string& path, std::string& error) { return file_.open(path, error, true); }
  bool is_open() const { return file_.is_open(); }
  const std::string& path() const { return file_.path(); }
  int fd() const { return file_.fd(); }

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
  void fail(int err);

  RecordFile file_{"reject file"};
  bool streaming_ = false;
  bool stream_failed_ = false;
  long long stream_start_ = 0;  // File size when the streamed record began.
  std::string what_;
};

}  // namespace cmrelay
