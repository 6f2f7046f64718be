// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include "net/serve/auth.h"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "input/capture.h"
#include "net/serve/fixture.h"
#include "net/serve/log.h"
#include "net/serve/metrics.h"
#include "net/serve/seen.h"
#include "net/serve/spool.h"

using namespace cmrelay;
using namespace cmrelay::serve;

using test::slurp;
using test::TempDir;

TEST_CASE("tokens: exact matches only, whatever the length; an empty candidate never") {
  Auth auth;
  auth.add_tokens("alpha, beta\ngamma");
  CHECK(auth.accepts("alpha"));
  CHECK(auth.accepts("gamma"));
  CHECK_FALSE(auth.accepts("alph"));
  CHECK_FALSE(auth.accepts("alphaa"));
  CHECK_FALSE(auth.accepts(""));
  CHECK_FALSE(auth.accepts("ALPHA"));
  CHECK(equal_constant_time("abc", "abc"));
  CHECK_FALSE(equal_constant_time("abc", "abd"));
  CHECK_FALSE(equal_constant_time("abc", std::string_view("abc\0", 4)));
}

TEST_CASE("token file: comments and blanks skipped; a file without a token is an error") {
  TempDir dir;
  std::ofstream(dir.path + "/t") << "# ours\n\n  s3cret  \n";
  std::ofstream(dir.path + "/empty") << "# none\n";
  Auth auth;
  std::string error;
  REQUIRE(auth.load_file(dir.path + "/t", error));
  CHECK(auth.accepts("s3cret"));
  Auth none;
  CHECK_FALSE(none.load_file(dir.path + "/empty", error));
  CHECK(error.find("no token") != std::string::npos);
  CHECK(error.find("s3cret") == std::string::npos);
}

TEST_CASE("a token file that starts with a UTF-8 byte order mark: its first token works") {
  TempDir dir;
  std::ofstream(dir.path + "/bom") << "\xEF\xBB\xBF"
                                      "first-token\r\nsecond\n";
  Auth auth;
  std::string error;
  REQUIRE(auth.load_file(dir.path + "/bom", error));
  CHECK(auth.accepts("first-token"));
  CHECK(auth.accepts("second"));
  CHECK_FALSE(
      auth.accepts("\xEF\xBB\xBF"
                   "first-token"));
}

TEST_CASE("address ranges: none allows all; v4, v6 and single addresses") {
  Auth auth;
  CHECK(auth.allowed("203.0.113.9"));
  std::string error;
  REQUIRE(auth.allow("10.0.0.0/8", error));
  REQUIRE(auth.allow("2001:db8::/32", error));
  REQUIRE(auth.allow("192.0.2.7", error));
  CHECK(auth.allowed("10.1.2.3"));
  CHECK(auth.allowed("2001:db8::1"));
  CHECK(auth.allowed("192.0.2.7"));
  CHECK_FALSE(auth.allowed("192.0.2.8"));
  CHECK_FALSE(auth.allowed("11.0.0.1"));
  CHECK_FALSE(auth.allow("10.0.0.0/99", error));
}

TEST_CASE("printable paths: no segment but a route's name, whatever the shape") {
  CHECK(printable_path("/hook/s3cret") == "/hook/***");
  CHECK(printable_path("/hook/s3cret?a=b") == "/hook/***");
  CHECK(printable_path("/hook") == "/hook");
  CHECK(printable_path("//hook/s3cret") == "//hook/***");
  CHECK(printable_path("/hook//s3cret") == "/hook//***");
  CHECK(printable_path("/Hook/s3cret") == "/Hook/***");
  CHECK(printable_path("/s3cret") == "/***");
  CHECK(printable_path("/hook/s3cret/x") == "/hook/***/***");
  CHECK(printable_path("/metrics/s3cret") == "/metrics/***");
  CHECK(printable_path("/s3cret/hook") == "/***/***");  // Only a first segment names a route.
  CHECK(printable_path("/healthz") == "/healthz");
  CHECK(printable_path("/") == "/");
  CHECK(printable_path("*") == "***");
  CHECK(printable_path("") == "");
}
