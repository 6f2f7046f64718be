// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include "net/serve/log.h"

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
#include "net/serve/metrics.h"
#include "net/serve/seen.h"
#include "net/serve/spool.h"

using namespace cmrelay;
using namespace cmrelay::serve;

using test::slurp;
using test::TempDir;

TEST_CASE("log lines: text values quoted and escaped, JSON always valid UTF-8") {
  Log text(false);
  CHECK(text.format("request", {{"path", "/hook/***"}, {"error", "a \"b\"\nc"}}) ==
        "cmrelay: serve: request path=/hook/*** error=\"a \\\"b\\\"\\x0ac\"");
  Log json(true);
  std::string line = json.format("request", {{"path", std::string("/a\xff\xc3")}});
  CHECK(line.find("\"kind\":\"request\"") != std::string::npos);
  CHECK(line.find("\"path\":\"/a\\\\xff\\\\xc3\"") != std::string::npos);
}
