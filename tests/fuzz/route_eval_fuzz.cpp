// libFuzzer harness: route evaluation on fuzzed events. Arbitrary bytes go through the read
// path (framing, bodies, detection, decoders, limits) as in read_path_fuzz, and every event
// that comes out is routed and explained through samples/routes.yaml, which uses every
// matcher (exact, regex, wildcard, cidr, num, NOTIN, name mapping, fallthrough, default).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "pipeline/pipeline.h"
#include "route/route.h"

namespace {

using namespace cmrelay;

std::unique_ptr<RouteTable> table;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("FLASHDUTY_DBA_KEY", "fuzz-dba", 1);
  ::setenv("FLASHDUTY_OPS_KEY", "fuzz-ops", 1);
  table = std::make_unique<RouteTable>(RouteTable::load(CMRELAY_SOURCE_DIR "/samples/routes.yaml"));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = fuzz::memfd_with(data, size);
  if (fd < 0) return 0;
  PipelineOptions options;
  options.severity = table->severity();
  Pipeline pipeline(options);
  std::vector<const Channel*> out;
  RouteExplanation why;
  pipeline.read_source(fd, "fuzz", [&](const Record&, const Detection&, EventBatch& events) {
    for (const Event& e : events) {
      out.clear();
      table->route(e, out);
      if (out.empty()) {
        cmrelay::fuzz::fail("route_eval_fuzz", "an event routed nowhere despite the default");
      }
      why = RouteExplanation{};
      table->explain(e, why);
      if (why.channels != out) {
        cmrelay::fuzz::fail("route_eval_fuzz", "explain and route disagree");
      }
    }
  });
  ::close(fd);
  return 0;
}
