// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include "net/serve/spool.h"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "input/capture.h"
#include "net/serve/auth.h"
#include "net/serve/fixture.h"
#include "net/serve/log.h"
#include "net/serve/metrics.h"
#include "net/serve/seen.h"

using namespace cmrelay;
using namespace cmrelay::serve;

using test::slurp;
using test::TempDir;

TEST_CASE("the spool: whole files only, 0600, arrival order, limits answered before writing") {
  TempDir dir;
  std::optional<Spool> open_spool;  // Closed before the restart below: one process per spool.
  Spool& spool = open_spool.emplace();
  std::string error, name;
  std::ofstream(dir.path + "/s.tmp");  // Not in the spool: a sibling.
  ::mkdir((dir.path + "/s").c_str(), 0700);
  std::ofstream(dir.path + "/s/.tmp-123-0.http") << "half";  // A crash's leftover.
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/rejected", {3, 1000}, error));
  CHECK(slurp(dir.path + "/s/.tmp-123-0.http").empty());
  uint64_t fsync_ns = 0;
  REQUIRE(spool.store("first", name, error, fsync_ns) == StoreResult::Stored);
  std::string first = name;
  struct stat st {};
  REQUIRE(::stat(spool.path(first).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(slurp(spool.path(first)) == "first");
  CHECK(arrival_ns(first) > 0);
  REQUIRE(spool.store("second", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(spool.store(std::string(2000, 'x'), name, error, fsync_ns) == StoreResult::Full);  // Bytes.
  REQUIRE(spool.store("third", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(spool.store("fourth", name, error, fsync_ns) == StoreResult::Full);  // Files.
  auto files = spool.list();
  REQUIRE(files.size() == 3);
  CHECK(files[0].name == first);
  CHECK(spool.depth() == 3);
  spool.remove(files[0]);
  REQUIRE(spool.reject(files[1], "bad body"));
  CHECK(spool.depth() == 1);
  CHECK(slurp(dir.path + "/rejected/" + files[1].name) == "second");
  CHECK(slurp(dir.path + "/rejected/" + files[1].name + ".reason") == "bad body\n");
  open_spool.reset();
  Spool again;  // A restart counts what waits.
  REQUIRE(again.open(dir.path + "/s", dir.path + "/rejected", {3, 1000}, error));
  CHECK(again.depth() == 1);
  CHECK(again.bytes() == 5);
}

TEST_CASE("the spool: a write the disk refuses leaves nothing behind and is not counted") {
  TempDir dir;
  Spool spool;
  std::string error, name;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  // A file size limit makes write() fail (EFBIG) as a full disk would (ENOSPC) midway.
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 100;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  uint64_t fsync_ns = 0;
  StoreResult r = spool.store(std::string(1000, 'x'), name, error, fsync_ns);
  const bool refused_while_limited = !spool.writable();  // The probe is refused too.
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK(r == StoreResult::Failed);
  CHECK(refused_while_limited);
  CHECK(error.find("cannot store") != std::string::npos);
  CHECK(spool.list().empty());
  CHECK(spool.depth() == 0);
  CHECK(spool.bytes() == 0);
  CHECK_FALSE(spool.writable());  // /readyz says so until a store or a probe (one a second) succeeds.
  std::string left = slurp(dir.path + "/s/.tmp-" + name);
  CHECK(left.empty());
  ::usleep(1100 * 1000);
  CHECK(spool.writable());  // The disk takes writes again: the probe said so, with no store.
  CHECK(slurp(dir.path + "/s/.tmp-probe-" + std::to_string(::getpid())).empty());  // Removed.
  REQUIRE(spool.store("ok", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(spool.writable());
}

TEST_CASE("the spool: only its own names are requests") {
  CHECK(is_spool_name("01796640684393843816-00000000.http"));
  CHECK_FALSE(is_spool_name("1796640684393843816-00000000.http"));  // 19 digits.
  CHECK_FALSE(is_spool_name("01796640684393843816-00000000.http.reason"));
  CHECK_FALSE(is_spool_name("01796640684393843816-0000000x.http"));
  CHECK_FALSE(is_spool_name("dead.ndjson"));
  CHECK_FALSE(is_spool_name("state.db-wal"));
  TempDir dir;
  ::mkdir((dir.path + "/s").c_str(), 0700);
  std::ofstream(dir.path + "/s/dead.ndjson") << "{}\n";
  std::ofstream(dir.path + "/s/01796640684393843816-00000000.http") << "POST / HTTP/1.1\r\n\r\n";
  Spool spool;
  std::string error;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  CHECK(spool.foreign() == 1);
  CHECK(spool.first_foreign() == "dead.ndjson");
  auto files = spool.list();
  REQUIRE(files.size() == 1);
  CHECK(files[0].name == "01796640684393843816-00000000.http");
  CHECK(spool.depth() == 1);
}

TEST_CASE("the spool: one process (one open Spool) at a time") {
  TempDir dir;
  std::string error;
  auto first = std::make_unique<Spool>();
  REQUIRE(first->open(dir.path + "/s", dir.path + "/r", {}, error));
  Spool second;  // Another open file description: flock refuses it as it would another process.
  CHECK_FALSE(second.open(dir.path + "/s", dir.path + "/r", {}, error));
  CHECK(error.find("in use by another cmrelay serve (pid " + std::to_string(::getpid()) + ")") != std::string::npos);
  first.reset();  // Closing releases it.
  Spool third;
  CHECK(third.open(dir.path + "/s", dir.path + "/r", {}, error));
}

TEST_CASE("the spool: gauges are what is on disk, whatever was done by hand") {
  TempDir dir;
  Spool spool;
  std::string error, name;
  uint64_t fsync_ns = 0;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {2, 1000}, error));
  REQUIRE(spool.store("first", name, error, fsync_ns) == StoreResult::Stored);
  const std::string by_hand = "01796640684393843816-00000000.http";
  std::ofstream(dir.path + "/s/" + by_hand) << "copied in";
  CHECK(spool.depth() == 1);  // Not listed yet.
  auto files = spool.list();
  CHECK(spool.depth() == 2);
  CHECK(spool.bytes() == 5 + 9);
  for (const SpoolFile& f : files) spool.remove(f);
  spool.remove(files[0]);  // Twice: already gone, nothing counted twice.
  CHECK(spool.depth() == 0);
  CHECK(spool.bytes() == 0);
  REQUIRE(spool.store("again", name, error, fsync_ns) == StoreResult::Stored);
  REQUIRE(::unlink(spool.path(name).c_str()) == 0);  // Removed by hand.
  CHECK(spool.depth() == 1);
  spool.list();
  CHECK(spool.depth() == 0);
  CHECK(spool.store("x", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(spool.store("y", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(spool.store("z", name, error, fsync_ns) == StoreResult::Full);
}

namespace {

ino_t inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

size_t spares_in(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().starts_with(".tmp-free-")) ++n;
  return n;
}

}  // namespace

TEST_CASE("the spool: a delivered file is reused, only once its rename is durable, and never left behind") {
  TempDir dir;
  std::optional<Spool> open_spool;
  Spool& spool = open_spool.emplace();
  std::string error, name;
  uint64_t fsync_ns = 0;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  REQUIRE(spool.store("a long first capture", name, error, fsync_ns) == StoreResult::Stored);
  const ino_t first = inode_of(spool.path(name));
  REQUIRE(first != 0);
  spool.remove({name, 20});
  CHECK(spares_in(dir.path + "/s") == 1);
  CHECK(spool.depth() == 0);
  CHECK(spool.list().empty());  // A spare is no request.
  // No flush has covered the spare's rename yet: a crash could show the new bytes under the
  // delivered name, so this store gets a file of its own.
  REQUIRE(spool.store("second", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(inode_of(spool.path(name)) != first);
  // That store's flushes covered the directory: the spare is ready, and overwritten whole
  // (a shorter capture leaves nothing of the longer one).
  REQUIRE(spool.store("third", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(inode_of(spool.path(name)) == first);
  CHECK(slurp(spool.path(name)) == "third");
  CHECK(spares_in(dir.path + "/s") == 0);
  auto files = spool.list();
  REQUIRE(files.size() == 2);
  CHECK(spool.bytes() == 6 + 5);
  for (const SpoolFile& f : files) spool.remove(f);
  CHECK(spares_in(dir.path + "/s") == 2);
  open_spool.reset();  // A stop removes the spares: no delivered capture stays on disk.
  CHECK(spares_in(dir.path + "/s") == 0);
}

TEST_CASE("the spool: spares are bounded, and a crash's spares are removed at the next start") {
  TempDir dir;
  std::string error, name;
  uint64_t fsync_ns = 0;
  {
    Spool spool;
    REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
    for (int i = 0; i < 300; ++i) REQUIRE(spool.store("x", name, error, fsync_ns) == StoreResult::Stored);
    for (const SpoolFile& f : spool.list()) spool.remove(f);
    CHECK(spares_in(dir.path + "/s") == 256);
    CHECK(spool.depth() == 0);
  }
  std::ofstream(dir.path + "/s/.tmp-free-7") << "a crash's spare";
  Spool spool;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  CHECK(spares_in(dir.path + "/s") == 0);
  CHECK(spool.depth() == 0);
}

TEST_CASE("the spool: arrivals name each new file once, without a listing; the relay's listing clears them") {
  TempDir dir;
  Spool spool;
  std::string error, a, b, c;
  uint64_t fsync_ns = 0;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  REQUIRE(spool.store("a", a, error, fsync_ns) == StoreResult::Stored);
  REQUIRE(spool.store("bb", b, error, fsync_ns) == StoreResult::Stored);
  std::vector<SpoolFile> got;
  REQUIRE(spool.arrivals(got));
  REQUIRE(got.size() == 2);
  CHECK(got[0].name == a);
  CHECK(got[1].name == b);
  CHECK(got[1].bytes == 2);
  REQUIRE(spool.arrivals(got));
  CHECK(got.empty());
  REQUIRE(spool.store("c", c, error, fsync_ns) == StoreResult::Stored);
  spool.list();  // The metrics' listing leaves them.
  REQUIRE(spool.arrivals(got));
  REQUIRE(got.size() == 1);
  CHECK(got[0].name == c);
  REQUIRE(spool.store("d", c, error, fsync_ns) == StoreResult::Stored);
  CHECK(spool.list(true).size() == 4);  // The relay's: every arrival is in it.
  REQUIRE(spool.arrivals(got));
  CHECK(got.empty());
}

TEST_CASE("the spool: a spare is overwritten only when it is still the spool's own, and cut by its real size") {
  TempDir dir;
  Spool spool;
  std::string error, name;
  uint64_t fsync_ns = 0;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  // Counted at 1 byte, 31 on disk (copied in while it was listed): cut to the new capture.
  REQUIRE(spool.store("a", name, error, fsync_ns) == StoreResult::Stored);
  const ino_t longer = inode_of(spool.path(name));
  std::ofstream(spool.path(name), std::ios::app) << std::string(30, 'z');
  spool.remove({name, 1});
  REQUIRE(spool.store("second", name, error, fsync_ns) == StoreResult::Stored);  // Its flushes ready the spare.
  REQUIRE(spool.store("xyz", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(inode_of(spool.path(name)) == longer);
  CHECK(slurp(spool.path(name)) == "xyz");
  // A hard link made by hand (a backup): the spare is never written through it.
  REQUIRE(spool.store("keep me", name, error, fsync_ns) == StoreResult::Stored);
  const ino_t linked = inode_of(spool.path(name));
  REQUIRE(::link(spool.path(name).c_str(), (dir.path + "/backup").c_str()) == 0);
  spool.remove({name, 7});
  REQUIRE(spool.store("third", name, error, fsync_ns) == StoreResult::Stored);
  REQUIRE(spool.store("fourth", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(inode_of(spool.path(name)) != linked);
  CHECK(slurp(dir.path + "/backup") == "keep me");
  CHECK(spares_in(dir.path + "/s") == 0);  // Its name was let go.
  // A large file is unlinked, not kept: spares sit outside the byte limit.
  const std::string big(70 * 1024, 'b');
  REQUIRE(spool.store(big, name, error, fsync_ns) == StoreResult::Stored);
  spool.remove({name, big.size()});
  CHECK(spares_in(dir.path + "/s") == 0);
  CHECK(!std::filesystem::exists(spool.path(name)));
}
