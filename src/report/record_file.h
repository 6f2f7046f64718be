// The one append-only record writer: the files of NDJSON records that runs share, --reject
// and --dead-letter. Opened with O_APPEND (created 0600: records hold raw bodies and events),
// and each whole record handed to one write(), so that two runs (cron) appending to one file
// never interleave inside a record, however long. A record the file does not take (a full
// disk: the only short write a regular file gives) is said on stderr and written there in
// full, so that it is never lost; the file is left line-clean (output/write_all.h).
#pragma once

#include <string>
#include <string_view>

namespace cmrelay {

class RecordFile {
 public:
  // what names the file in messages: "reject file", "dead-letter file".
  explicit RecordFile(std::string what) : what_(std::move(what)) {}
  ~RecordFile();
  RecordFile(const RecordFile&) = delete;
  RecordFile& operator=(const RecordFile&) = delete;

  // Opens (creating, 0600) path for appending. False with error "PATH: cannot open the WHAT:
  // REASON". With locked, every append takes an exclusive flock() on the file: for a file
  // where some writer streams a record in several write()s (lock()/unlock() around them).
  bool open(const std::string& path, std::string& error, bool locked = false);
  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

  // Appends one whole record (ending in a newline) with one write(). False when the file
  // did not take it whole: then "cmrelay: PATH: cannot write the WHAT: REASON; the record
  // follows on stderr", and the record in full on stderr.
  bool append(std::string_view record);

  // The advisory lock every locked writer of the file takes (retried after EINTR).
  void lock();
  void unlock();

 private:
  std::string what_;
  std::string path_;
  int fd_ = -1;
  bool locked_ = false;
};

}  // namespace cmrelay
