// cmrelay serve's pieces on their own: tokens and address ranges, the capture format and
// its masking, the spool's durability rules and limits, the dedup keys, the metrics text.
#include "net/serve/metrics.h"

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
#include "net/serve/seen.h"
#include "net/serve/spool.h"

using namespace cmrelay;
using namespace cmrelay::serve;

using test::slurp;
using test::TempDir;

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
  CHECK(text.find("cmrelay_serve_delivery_latency_seconds_bucket{channel=\"a\\\"b\",le=\"0.25\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("cmrelay_serve_delivery_latency_seconds_bucket{channel=\"a\\\"b\",le=\"0.5\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("cmrelay_serve_delivery_latency_seconds_bucket{channel=\"a\\\"b\",le=\"+Inf\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("cmrelay_serve_spool_files 0\n") != std::string::npos);
}

TEST_CASE("metrics: the group commit's batch sizes, in requests, once per flush") {
  TempDir dir;
  Spool spool;
  std::string error;
  REQUIRE(spool.open(dir.path + "/s", dir.path + "/r", {}, error));
  Metrics m;
  m.committed(1);
  m.committed(20);
  m.committed(5000);  // Past the last bound: counted in +Inf only.
  const std::string text = m.render(spool);
  CHECK(text.find("# TYPE cmrelay_serve_commit_batch_size histogram\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_commit_batch_size_bucket{le=\"1\"} 1\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_commit_batch_size_bucket{le=\"16\"} 1\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_commit_batch_size_bucket{le=\"32\"} 2\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_commit_batch_size_bucket{le=\"4096\"} 2\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_commit_batch_size_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_commit_batch_size_sum 5021\n") != std::string::npos);
  CHECK(text.find("cmrelay_serve_commit_batch_size_count 3\n") != std::string::npos);
  // The latency histograms keep their bounds in seconds.
  CHECK(text.find("cmrelay_serve_store_seconds_bucket{le=\"0.005\"} 0\n") != std::string::npos);
}
