// The spool: a directory of received requests, one capture file each (input/capture.h),
// written so that a file is either whole or absent: written under a hidden temporary name,
// made durable, renamed, and the rename made durable, before the sender gets its 2xx. The
// flushes are a group commit (serve/commit.h): the captures written while the previous flush
// ran are made durable together by one syncfs of the spool's file system (every file's data
// and inode, whatever else that file system holds dirty), which also makes durable the
// names the previous flush gave; so a name in the spool always holds a durable, whole
// capture, and a steady load costs one syncfs per batch. A file
// leaves the spool when every event from it ended (delivered or dead-lettered), or moves to
// the rejected folder (with a NAME.reason file beside it) when its body cannot be read.
// A file that left is kept for reuse (at most 256, each of at most 64 KiB): renamed to a
// temporary name, and once a flush has made that rename durable, overwritten by a later
// capture (only if it is still a regular file with no other link), which saves the new
// inode and the unlink that are most of a store's cost; the spares are removed at stop, and
// at the next start after a crash, with the other temporary files.
// Names sort in arrival order: <unix nanoseconds>-<sequence>.http, mode 0600.
//
// One process owns a spool: open() takes a lock (SPOOL/.lock, flock) that a second serve
// on the same directory cannot get, so no request is ever delivered by two. The spool reads
// only the names its writer makes (is_spool_name): any other file in it (a dead-letter
// file, a state database, a copy under another name) is left alone, never taken for a
// request. Its gauges (depth, bytes) are what is on disk: every listing sets them, stores
// and listings never interleave, and a removal counts its file out before it unlinks it
// (outside the lock: an unlink may wait for the disk), so a file copied in or removed by
// hand cannot make them drift, let alone wrap.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "net/serve/commit.h"

namespace cmrelay::serve {

struct SpoolLimits {
  uint64_t max_files = 10000;              // Requests waiting at most; more get 503.
  uint64_t max_bytes = uint64_t{1} << 30;  // Bytes waiting at most.
};

struct SpoolFile {
  std::string name;  // File name inside the spool.
  uint64_t bytes = 0;
};

class Spool {
 public:
  ~Spool();
  // Creates dir and rejected (0700) when missing, takes the spool's lock (false, naming the
  // process that holds it, when another has it), removes temporary files a crash left (never
  // answered 2xx), and counts what waits. False with error set.
  bool open(const std::string& dir, const std::string& rejected, SpoolLimits limits, std::string& error);

  // Writes one capture under a temporary name on the caller's thread and queues it for the
  // next group commit; done gets the outcome on the thread leading it once a flush covered
  // it, or at once when nothing was queued. Full: a limit would be passed (nothing written),
  // or the disk is full. Failed: the disk refused (EIO...; error set, nothing left behind).
  // Thread-safe.
  void submit(std::string_view capture, std::function<void(const Stored&)> done);
  // submit(), waiting for the outcome. fsync_ns gets the time its flush took.
  StoreResult store(std::string_view capture, std::string& name, std::string& error, uint64_t& fsync_ns);
  // Returns when every capture submitted before the call has its outcome.
  void drain();

  // The spool's files, oldest first (only names is_spool_name accepts). Sets the gauges.
  // The relay's listing (for_arrivals) also clears the arrivals: each is in the listing.
  std::vector<SpoolFile> list(bool for_arrivals = false);
  // The files renamed into view since the last call or listing, oldest first, without
  // listing the directory (a listing costs the whole spool; a backlog of thousands must not
  // cost that at every flush). False when more arrived than it keeps (kMaxArrivals): list().
  bool arrivals(std::vector<SpoolFile>& out);
  // The file's path.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // The file opened for reading through the spool's own directory (still found if the
  // directory is renamed meanwhile); -1 with errno.
  int open_file(const std::string& name) const;
  // The file left the spool: every event from it ended. Kept as a spare when small enough.
  void remove(const SpoolFile& f);
  // Moves the file to the rejected folder with NAME.reason beside it. False when it could
  // not be moved (then it stays in the spool, and that is said on stderr).
  bool reject(const SpoolFile& f, std::string_view reason);

  uint64_t depth() const;
  uint64_t bytes() const;
  // Seconds since the oldest file waiting arrived (from its name); 0 when empty.
  double oldest_age();
  // The directory accepts a new file: access() says so, and the last store succeeded or,
  // when it failed, a probe write (at most one a second) has succeeded since.
  bool writable();
  // Regular files in the spool at open() that the spool does not read (not its own names),
  // and the first of them: said once at start.
  uint64_t foreign() const { return foreign_; }
  const std::string& first_foreign() const { return first_foreign_; }
  const std::string& dir() const { return dir_; }
  const std::string& rejected_dir() const { return rejected_; }

 private:
  bool lock(std::string& error);
  bool probe();
  // The committer's flush (serve/commit.h): fresh's bytes and named's names made durable by
  // one sync, then fresh renamed into view.
  void flush(std::vector<Pending>& fresh, std::vector<Pending>& named);
  int sync(const std::vector<Pending>& fresh, const std::vector<Pending>& named);
  void fail(Pending& p, int err) const;
  // Counted out, then kept as a spare (keep_spare, when there is room) or unlinked.
  void drop(const SpoolFile& f, bool keep_spare);
  // Delivered files kept for reuse (remove() renames, submit() overwrites): see spool.cpp.
  bool recycle(const SpoolFile& f);
  int reuse(std::string& tmp, uint64_t bytes);
  size_t spares_renamed();
  void ready_spares(size_t renamed_before);
  // Under mu_: the reservation a queued capture held is given back; stored: it is on disk now.
  void settle(uint64_t bytes, bool stored);

  std::string dir_, rejected_;
  SpoolLimits limits_;
  int dir_fd_ = -1;
  int lock_fd_ = -1;
  // Guards the counts: files and bytes on disk (own names), and those being stored.
  mutable std::mutex mu_;
  uint64_t files_ = 0, bytes_ = 0, storing_files_ = 0, storing_bytes_ = 0;
  std::atomic<uint64_t> seq_{0};
  std::atomic<bool> last_failed_{false};
  std::atomic<int64_t> last_probe_ms_{0};
  uint64_t foreign_ = 0;
  std::string first_foreign_;
  struct Free {
    std::string name;  // A temporary name (a crash leaves it to be removed at the next start).
    uint64_t bytes = 0;
  };
  std::vector<SpoolFile> arrived_;  // Under mu_: renamed into view since the last arrivals() or list().
  bool arrivals_lost_ = false;      // Under mu_: more than kMaxArrivals came meanwhile.
  std::mutex free_mu_;              // Guards freeing_ (renamed, not yet flushed) and free_ (ready).
  std::vector<Free> freeing_, free_;
  std::unique_ptr<Committer> committer_;  // After open(); stopped first (it uses dir_fd_).
};

// Unix nanoseconds a spool file name starts with; 0 when it has none.
uint64_t arrival_ns(std::string_view name);
// True for the names the spool writes: 20 digits, '-', 8 digits, ".http".
bool is_spool_name(std::string_view name);

}  // namespace cmrelay::serve
