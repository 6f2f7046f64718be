// The spool: a directory of received requests, one capture file each (serve/capture.h),
// written so that a file is either whole or absent: written under a hidden temporary name,
// fsynced, renamed, and the directory fsynced, before the sender gets its 2xx. A file
// leaves the spool when every event from it ended (delivered or dead-lettered), or moves to
// the rejected folder (with a NAME.reason file beside it) when its body cannot be read.
// Names sort in arrival order: <unix nanoseconds>-<sequence>.http, mode 0600.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cmrelay::serve {

struct SpoolLimits {
  uint64_t max_files = 10000;              // Requests waiting at most; more get 503.
  uint64_t max_bytes = uint64_t{1} << 30;  // Bytes waiting at most.
};

enum class StoreResult { Stored, Full, Failed };

struct SpoolFile {
  std::string name;  // File name inside the spool.
  uint64_t bytes = 0;
};

class Spool {
 public:
  // Creates dir and rejected (0700) when missing, removes temporary files a crash left
  // (never answered 2xx), and counts what waits. False with error set.
  bool open(const std::string& dir, const std::string& rejected, SpoolLimits limits, std::string& error);

  // Stores one capture durably. Full: a limit would be passed (nothing written). Failed:
  // the disk refused (ENOSPC, EIO...; error set, nothing left behind). Thread-safe.
  // fsync_ns gets the time spent in fsync (file and directory).
  StoreResult store(std::string_view capture, std::string& name, std::string& error, uint64_t& fsync_ns);

  // The spool's files, oldest first (temporary and hidden files left out).
  std::vector<SpoolFile> list() const;
  // The file's path.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // The file left the spool: every event from it ended.
  void remove(const SpoolFile& f);
  // Moves the file to the rejected folder with NAME.reason beside it. False when it could
  // not be moved (then it stays in the spool, and that is said on stderr).
  bool reject(const SpoolFile& f, std::string_view reason);

  uint64_t depth() const { return files_.load(); }
  uint64_t bytes() const { return bytes_.load(); }
  // Seconds since the oldest file waiting arrived (from its name); 0 when empty.
  double oldest_age() const;
  // The directory accepts a new file (checked with access(), and the last store's outcome).
  bool writable() const;
  const std::string& dir() const { return dir_; }
  const std::string& rejected_dir() const { return rejected_; }

 private:
  std::string dir_, rejected_;
  SpoolLimits limits_;
  int dir_fd_ = -1;
  std::atomic<uint64_t> files_{0}, bytes_{0}, seq_{0};
  std::atomic<bool> last_failed_{false};
};

// Unix nanoseconds a spool file name starts with; 0 when it has none.
uint64_t arrival_ns(std::string_view name);

}  // namespace cmrelay::serve
