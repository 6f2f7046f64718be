#include "net/serve/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "report/diag.h"
#include "report/write_all.h"

namespace cmrelay::serve {
namespace {

constexpr std::string_view kTmpPrefix = ".tmp-";
// Files kept for reuse at most: a burst's worth; beyond it a delivered file is unlinked.
constexpr size_t kMaxFree = 256;
// Larger files are unlinked, not kept: spares sit outside the spool's byte limit, so they
// stay small (a webhook is a few kB; 256 spares hold at most 16 MiB).
constexpr uint64_t kMaxSpareBytes = uint64_t{64} * 1024;
// Arrivals kept for the relay at most; past them it lists the directory instead.
constexpr size_t kMaxArrivals = 4096;
constexpr const char* kLockName = ".lock";
constexpr int64_t kProbeEveryMs = 1000;  // A refused disk is tried again at most this often.

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
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

// Calls f(name, stat) for every regular file in dir whose name wanted(name) accepts (asked
// first: a listing stats only the names it reads, not the spares and hidden files beside).
template <class Wanted, class F>
void each_file(int dir_fd, Wanted&& wanted, F&& f) {
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
  if (d == nullptr) {
    if (fd >= 0) ::close(fd);
    return;
  }
  while (dirent* e = ::readdir(d)) {
    struct stat st {};
    if (wanted(std::string_view(e->d_name)) && ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode))
      f(std::string(e->d_name), st);
  }
  ::closedir(d);
}

bool every_name(std::string_view) { return true; }

bool by_name(const SpoolFile& a, const SpoolFile& b) { return a.name < b.name; }

// a - b, never below zero: a count is never allowed to wrap.
uint64_t less(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

uint64_t arrival_ns(std::string_view name) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < name.size() && i < 20 && name[i] >= '0' && name[i] <= '9'; ++i)
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  return i > 0 && i < name.size() && name[i] == '-' ? v : 0;
}

bool is_spool_name(std::string_view name) {
  constexpr std::string_view kExt = ".http";
  return name.size() == 20 + 1 + 8 + kExt.size() && all_digits(name.substr(0, 20)) && name[20] == '-' &&
         all_digits(name.substr(21, 8)) && name.substr(29) == kExt;
}

Spool::~Spool() {
  committer_.reset();  // Flushes and answers what is queued, with dir_fd_ still open.
  // Delivered captures kept for reuse are not left behind.
  for (const Free& f : free_) ::unlinkat(dir_fd_, f.name.c_str(), 0);
  for (const Free& f : freeing_) ::unlinkat(dir_fd_, f.name.c_str(), 0);
  if (dir_fd_ >= 0) ::close(dir_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // Releases the lock.
}

// SPOOL/.lock, held (flock) for the process's life; it holds the owner's pid, for the
// message a second process gets. The kernel drops the lock when the process ends, however.
bool Spool::lock(std::string& error) {
  lock_fd_ = ::openat(dir_fd_, kLockName, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd_ < 0) {
    error = dir_ + "/" + kLockName + ": cannot open the spool's lock: " + std::strerror(errno);
    return false;
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(lock_fd_, pid, sizeof pid - 1, 0);
    std::string_view text(pid, n > 0 ? static_cast<size_t>(n) : 0);
    const std::string owner(text.substr(0, std::min(text.find_first_not_of("0123456789"), text.size())));
    error = saved == EWOULDBLOCK ? dir_ + ": the spool is in use by another cmrelay serve" +
                                       (owner.empty() ? "" : " (pid " + owner + ")") +
                                       ": a spool belongs to one process (run another serve with a spool of its own)"
                                 : dir_ + "/" + kLockName + ": cannot lock the spool: " + std::strerror(saved);
    return false;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for another process's message; the lock holds without it.
  }
  return true;
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
  if (!lock(error)) return false;  // Before anything is removed: another process's files are its own.
  each_file(dir_fd_, every_name, [&](const std::string& name, const struct stat&) {
    if (name.starts_with(kTmpPrefix)) {
      ::unlinkat(dir_fd_, name.c_str(), 0);  // Half-written (its sender got no 2xx), or a spare.
    } else if (name.front() != '.' && !is_spool_name(name)) {
      if (foreign_++ == 0) first_foreign_ = name;
    }
  });
  list();  // Counts what waits.
  committer_ = std::make_unique<Committer>(
      [this](std::vector<Pending>& fresh, std::vector<Pending>& named) { flush(fresh, named); });
  return true;
}

void Spool::submit(std::string_view capture, std::function<void(const Stored&)> done) {
  {
    // Reserved before writing, so that concurrent stores cannot pass the limits together.
    std::lock_guard<std::mutex> lock(mu_);
    if (files_ + storing_files_ + 1 > limits_.max_files || bytes_ + storing_bytes_ + capture.size() > limits_.max_bytes)
      return done(Stored{.result = StoreResult::Full});
    ++storing_files_;
    storing_bytes_ += capture.size();
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%020llu-%08llu.http", static_cast<unsigned long long>(now_ns()),
                static_cast<unsigned long long>(seq_.fetch_add(1) % 100000000));
  Pending p{std::string(kTmpPrefix) + buf, buf, capture.size(), StoreResult::Failed, "", std::move(done)};
  // Written (to the page cache) here, in parallel on the callers' threads; made durable by the
  // committer, with every other capture written meanwhile.
  p.fd = reuse(p.tmp, capture.size());
  if (p.fd < 0) p.fd = ::openat(dir_fd_, p.tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (p.fd >= 0 && write_all(p.fd, capture)) return committer_->submit(std::move(p));  // Kept open for its flush.
  const int saved = errno;
  if (p.fd >= 0) ::close(p.fd);
  ::unlinkat(dir_fd_, p.tmp.c_str(), 0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    settle(p.bytes, false);
  }
  last_failed_ = true;
  p.done(Stored{.result = saved == ENOSPC || saved == EDQUOT ? StoreResult::Full : StoreResult::Failed,
                .error = dir_ + ": cannot store a request: " + std::strerror(saved)});
}

void Spool::settle(uint64_t bytes, bool stored) {
  storing_files_ = less(storing_files_, 1);
  storing_bytes_ = less(storing_bytes_, bytes);
  if (stored) {
    ++files_;
    bytes_ += bytes;
  }
}

// fresh's files are written (still open, not yet durable); named's are in view, their bytes
// durable, their names not yet. One syncfs writes back and commits every dirty file and
// directory of the spool's file system at once, both of these among them (one journal commit,
// where a fsync each would cost one per file when called in turn), and reports any write-back
// error since the last flush (Linux 5.8 and later), failing all of them. Only then is fresh
// renamed into view: its names are made durable by the next flush.
void Spool::flush(std::vector<Pending>& fresh, std::vector<Pending>& named) {
  const int synced = sync(fresh, named);
  if (synced != 0) {
    for (Pending& p : named) {
      // Never answered 2xx: the sender sends it again. Unlinked, never kept as a spare: the
      // relay may be reading it (a reader of an unlinked file keeps its bytes).
      drop({p.name, p.bytes}, false);
      fail(p, synced);
    }
  }
  {
    // The renames and the count changes together: a listing sees both or neither.
    std::lock_guard<std::mutex> lock(mu_);
    for (Pending& p : fresh) {
      int err = ::close(p.fd) == 0 || synced != 0 ? synced : errno;
      if (err == 0 && ::renameat(dir_fd_, p.tmp.c_str(), dir_fd_, p.name.c_str()) != 0) err = errno;
      if (err == 0) {
        p.result = StoreResult::Stored;
        if (arrived_.size() < kMaxArrivals) {
          arrived_.push_back({p.name, p.bytes});
        } else {
          arrivals_lost_ = true;
        }
      } else {
        fail(p, err);
        ::unlinkat(dir_fd_, p.tmp.c_str(), 0);
      }
      settle(p.bytes, err == 0);
    }
  }
  auto failed = [](const Pending& p) { return p.result != StoreResult::Stored; };
  last_failed_ = std::any_of(fresh.begin(), fresh.end(), failed) || std::any_of(named.begin(), named.end(), failed);
}

// The one flush of a turn: names alone need the directory's fsync; a lone new capture with no
// names waiting is fsynced by itself, as before group commit (a syncfs would also write back
// whatever else the file system holds dirty); anything more, one syncfs. 0, or the errno.
int Spool::sync(const std::vector<Pending>& fresh, const std::vector<Pending>& named) {
  if (fresh.size() == 1 && named.empty()) return ::fsync(fresh.front().fd) == 0 ? 0 : errno;
  const size_t spares = spares_renamed();  // Each flush below covers the directory too.
  if ((fresh.empty() ? ::fsync(dir_fd_) : ::syncfs(dir_fd_)) != 0) return errno;
  ready_spares(spares);
  return 0;
}

void Spool::fail(Pending& p, int err) const {
  p.result = err == ENOSPC || err == EDQUOT ? StoreResult::Full : StoreResult::Failed;
  p.error = dir_ + ": cannot store a request: " + std::strerror(err);
}

StoreResult Spool::store(std::string_view capture, std::string& name, std::string& error, uint64_t& fsync_ns) {
  std::mutex mu;
  std::condition_variable cv;
  bool ended = false;
  Stored out;
  submit(capture, [&](const Stored& s) {
    std::lock_guard<std::mutex> lock(mu);  // Notified under the lock: cv outlives the call.
    out = s;
    ended = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return ended; });
  name = out.name;
  error = out.error;
  fsync_ns = out.flush_ns;
  return out.result;
}

void Spool::drain() {
  if (committer_) committer_->drain();
}

std::vector<SpoolFile> Spool::list(bool for_arrivals) {
  std::vector<SpoolFile> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t bytes = 0;
    each_file(dir_fd_, is_spool_name, [&](const std::string& name, const struct stat& st) {
      out.push_back({name, static_cast<uint64_t>(st.st_size)});
      bytes += static_cast<uint64_t>(st.st_size);
    });
    files_ = out.size();
    bytes_ = bytes;
    if (for_arrivals) {
      arrived_.clear();  // Renamed under mu_: each is in this listing, or arrives after it.
      arrivals_lost_ = false;
    }
  }
  std::sort(out.begin(), out.end(), by_name);
  return out;
}

bool Spool::arrivals(std::vector<SpoolFile>& out) {
  bool whole = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out.swap(arrived_);
    arrived_.clear();
    whole = !arrivals_lost_;
    arrivals_lost_ = false;
  }
  std::sort(out.begin(), out.end(), by_name);  // Renamed in batch order: oldest first, as a listing.
  return whole;
}

int Spool::open_file(const std::string& name) const {
  return ::openat(dir_fd_, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
}

// Counted out before the unlink, which runs outside the lock: an unlink can wait for the disk
// (a discard, a journal), and stores must not wait for it. A listing in between may count
// the file once more, until the next listing; never less than what is on disk.
void Spool::remove(const SpoolFile& f) { drop(f, f.bytes <= kMaxSpareBytes); }

void Spool::drop(const SpoolFile& f, bool keep_spare) {
  uint64_t files = 0, bytes = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files = files_;
    bytes = bytes_;
    files_ = less(files_, 1);
    bytes_ = less(bytes_, f.bytes);
  }
  if ((keep_spare && recycle(f)) || ::unlinkat(dir_fd_, f.name.c_str(), 0) == 0) return;
  if (errno != ENOENT) diag::say("serve: %s: cannot remove: %s", path(f.name).c_str(), std::strerror(errno));
  // Still there, or gone already (removed by hand: the next listing counts without it).
  std::lock_guard<std::mutex> lock(mu_);
  files_ += files - less(files, 1);
  bytes_ += bytes - less(bytes, f.bytes);
}

// Creating a file and unlinking it are most of a store's cost (a new inode, its blocks
// allocated and discarded again, the directory locked meanwhile): a delivered file is
// renamed to a temporary name instead, and the next capture overwrites it. False when the
// pool is full or the rename failed (then it is unlinked as before).
bool Spool::recycle(const SpoolFile& f) {
  {
    std::lock_guard<std::mutex> lock(free_mu_);
    if (free_.size() + freeing_.size() >= kMaxFree) return false;
  }
  Free spare{std::string(kTmpPrefix) + "free-" + std::to_string(seq_.fetch_add(1)), f.bytes};
  if (::renameat(dir_fd_, f.name.c_str(), dir_fd_, spare.name.c_str()) != 0) return false;
  std::lock_guard<std::mutex> lock(free_mu_);
  freeing_.push_back(std::move(spare));
  return true;
}

// A spare file whose rename a flush has made durable (so that no crash can show its new
// bytes under its old, delivered name), opened for a capture of bytes: tmp gets its name.
// -1 when none is ready (or it was removed by hand): the caller creates a file.
int Spool::reuse(std::string& tmp, uint64_t bytes) {
  Free spare;
  {
    std::lock_guard<std::mutex> lock(free_mu_);
    if (free_.empty()) return -1;
    spare = std::move(free_.back());
    free_.pop_back();
  }
  // Only what the spool left there is overwritten: a regular file with no other name (a
  // hard link by hand, a backup's, must keep its bytes), cut to the capture's length by its
  // real size (a file copied in while it was listed may be longer than counted). O_NONBLOCK:
  // a FIFO put in its place must not hold the worker.
  int fd = ::openat(dir_fd_, spare.name.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  struct stat st {};
  const bool ours = fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1;
  if (ours && (static_cast<uint64_t>(st.st_size) <= bytes || ::ftruncate(fd, static_cast<off_t>(bytes)) == 0) &&
      ::fcntl(fd, F_SETFL, 0) == 0) {
    tmp = std::move(spare.name);
    return fd;
  }
  if (fd >= 0) ::close(fd);
  ::unlinkat(dir_fd_, spare.name.c_str(), 0);  // Only this name goes; other links keep theirs.
  return -1;
}

// After a flush that covered the directory: the spares renamed before it began are ready.
void Spool::ready_spares(size_t renamed_before) {
  std::lock_guard<std::mutex> lock(free_mu_);
  const size_t n = std::min(renamed_before, freeing_.size());
  std::move(freeing_.begin(), freeing_.begin() + static_cast<std::ptrdiff_t>(n), std::back_inserter(free_));
  freeing_.erase(freeing_.begin(), freeing_.begin() + static_cast<std::ptrdiff_t>(n));
}

size_t Spool::spares_renamed() {
  std::lock_guard<std::mutex> lock(free_mu_);
  return freeing_.size();
}

bool Spool::reject(const SpoolFile& f, std::string_view reason) {
  std::string to = rejected_ + "/" + f.name;
  std::string why = to + ".reason";
  int fd = ::open(why.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write_all(fd, std::string(reason) + "\n") && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  ok = ok && ::rename(path(f.name).c_str(), to.c_str()) == 0;
  if (!ok) {
    diag::say("serve: %s: cannot move to %s: %s (kept in the spool)", path(f.name).c_str(), rejected_.c_str(),
              std::strerror(errno));
    return false;
  }
  files_ = less(files_, 1);
  bytes_ = less(bytes_, f.bytes);
  return true;
}

uint64_t Spool::depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_;
}

uint64_t Spool::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

double Spool::oldest_age() {
  std::vector<SpoolFile> files = list();
  if (files.empty()) return 0;
  uint64_t t = arrival_ns(files.front().name);
  uint64_t now = now_ns();
  return t == 0 || t > now ? 0 : static_cast<double>(now - t) / 1e9;
}

// A block written, fsynced and removed under a temporary name (one a crash leaves is
// removed at the next start): the disk takes writes again.
bool Spool::probe() {
  const int64_t now = steady_ms();
  int64_t last = last_probe_ms_.load();
  if (now - last < kProbeEveryMs || !last_probe_ms_.compare_exchange_strong(last, now)) return false;
  const std::string tmp = std::string(kTmpPrefix) + "probe-" + std::to_string(::getpid());
  int fd = ::openat(dir_fd_, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write_all(fd, std::string(4096, '\0')) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  ::unlinkat(dir_fd_, tmp.c_str(), 0);
  if (ok) last_failed_ = false;
  return ok;
}

bool Spool::writable() {
  if (::access(dir_.c_str(), W_OK) != 0) return false;
  return !last_failed_.load() || probe();
}

}  // namespace cmrelay::serve
