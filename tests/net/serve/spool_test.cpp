// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include "net/serve/spool.h"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
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
  Spool spool;
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
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK(r == StoreResult::Failed);
  CHECK(error.find("cannot store") != std::string::npos);
  CHECK(spool.list().empty());
  CHECK(spool.depth() == 0);
  CHECK(spool.bytes() == 0);
  CHECK_FALSE(spool.writable());  // /readyz says so until a store succeeds.
  std::string left = slurp(dir.path + "/s/.tmp-" + name);
  CHECK(left.empty());
  REQUIRE(spool.store("ok", name, error, fsync_ns) == StoreResult::Stored);
  CHECK(spool.writable());
}
