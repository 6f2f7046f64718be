// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include "input/capture.h"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "net/serve/auth.h"
#include "net/serve/fixture.h"
#include "net/serve/log.h"
#include "net/serve/metrics.h"
#include "net/serve/seen.h"
#include "net/serve/spool.h"

using namespace cmrelay;
using namespace cmrelay::serve;

using test::slurp;
using test::TempDir;

TEST_CASE("the capture: raw HTTP with the path token and secret headers masked, its own length") {
  std::string token;
  Request r;
  r.method = "POST";
  r.target = mask_path_token("/hook/s3cret?x=1", token);
  CHECK(token == "s3cret");
  CHECK(r.target == "/hook/***?x=1");
  r.headers = {{"Content-Type", "application/json"},
               {"token", "s3cret"},
               {"X-Ali-Auth", "s3cret"},
               {"Transfer-Encoding", "chunked"},
               {"x-volc-trace-id", "t-1"}};
  r.body = "{\"a\":1}";
  std::string c = format_capture(r, {"Token", "x-ali-auth"});
  CHECK(c ==
        "POST /hook/***?x=1 HTTP/1.1\r\nContent-Type: application/json\r\ntoken: ***\r\nX-Ali-Auth: ***\r\n"
        "x-volc-trace-id: t-1\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
  CHECK(mask_path_token("/hook", token) == "/hook");
  CHECK(token.empty());
  CHECK(mask_path_token("/hook/t/more", token) == "/hook/***/more");
  Request get;
  get.method = "GET";
  get.target = "/hook?alert=%7B%7D";
  CHECK(format_capture(get, {}) == "GET /hook?alert=%7B%7D HTTP/1.1\r\n\r\n");  // The query is the body.
}
