// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include "net/serve/seen.h"

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
#include "net/serve/spool.h"

using namespace cmrelay;
using namespace cmrelay::serve;

using test::slurp;
using test::TempDir;

TEST_CASE("dedup: the trace id when there is one, else the body; finished keys survive a restart") {
  CHECK(dedup_key("t-1", "a") == dedup_key("t-1", "b"));
  CHECK(dedup_key("", "a") != dedup_key("", "b"));
  CHECK(dedup_key("", "a") == dedup_key("", "a"));
  TempDir dir;
  std::string error;
  {
    Seen seen;
    REQUIRE(seen.open(dir.path + "/.seen", 3600, error));
    CHECK_FALSE(seen.check_and_begin("k1"));
    CHECK(seen.check_and_begin("k1"));  // A retry while the first is in progress.
    CHECK_FALSE(seen.check_and_begin("k2"));
    seen.finish("k1");  // k2 never finishes (a crash): it must not count as seen.
  }
  Seen seen;
  REQUIRE(seen.open(dir.path + "/.seen", 3600, error));
  CHECK(seen.check_and_begin("k1"));
  CHECK_FALSE(seen.check_and_begin("k2"));
  struct stat st {};
  REQUIRE(::stat((dir.path + "/.seen").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}
