// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "serve/auth.h"
#include "serve/capture.h"
#include "serve/log.h"
#include "serve/metrics.h"
#include "serve/seen.h"
#include "serve/spool.h"

using namespace cmrelay;
using namespace cmrelay::serve;

namespace {

struct TempDir {
  TempDir() {
    char t[] = "/tmp/cmrelay-serve-test-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string path;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

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

TEST_CASE("the capture: raw HTTP with the path token and secret headers masked, its own length") {
  std::string token;
  Request r;
  r.method = "POST";
  r.target = mask_path_token("/hook/s3cret?x=1", token);
  CHECK(token == "s3cret");
  CHECK(r.target == "/hook/***?x=1");
  r.headers = {{"Content-Type", "application/json"}, {"token", "s3cret"}, {"X-Ali-Auth", "s3cret"},
               {"Transfer-Encoding", "chunked"}, {"x-volc-trace-id", "t-1"}};
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

TEST_CASE("metrics: Prometheus text with escaped labels and cumulative buckets") {
  TempDir dir;
  Spool spool;
  std::string error;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  Metrics m;
  m.request("/hook", 200);
  m.request("/hook", 200);
  m.request("/hook", 401);
  m.stored(0.002, 0.001);
  m.attempt("a\"b", false);
  m.attempt("a\"b", true);
  m.ended("a\"b", true, 0.3);
  std::string text = m.render(spool);
  CHECK(text.find("cmrelay_serve_requests_total{path=\"/hook\",code=\"200\"} 2\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_requests_total{path=\"/hook\",code=\"401\"} 1\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_events_retried_total{channel=\"a\\\"b\"} 1\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_delivery_latency_seconds_bucket{channel=\"a\\\"b\",le=\"0.25\"} 0\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_delivery_latency_seconds_bucket{channel=\"a\\\"b\",le=\"0.5\"} 1\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_delivery_latency_seconds_bucket{channel=\"a\\\"b\",le=\"+Inf\"} 1\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_spool_files 0\n") != std::string::npos);
}

TEST_CASE("log lines: text values quoted and escaped, JSON always valid UTF-8") {
  Log text(false);
  CHECK(text.format("request", {{"path", "/hook/***"}, {"error", "a \"b\"\nc"}}) ==
        "cmrelay: serve: request path=/hook/*** error=\"a \\\"b\\\"\\x0ac\"");
  Log json(true);
  std::string line = json.format("request", {{"path", std::string("/a\xff\xc3")}});
  CHECK(line.find("\"kind\":\"request\"") != std::string::npos);
  CHECK(line.find("\"path\":\"/a\\\\xff\\\\xc3\"") != std::string::npos);
}
