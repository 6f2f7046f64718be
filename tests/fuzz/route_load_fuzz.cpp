// libFuzzer harness: arbitrary bytes as a route file (YAML, or JSON when the first non-blank
// byte is '{'), through RouteTable::load and check_routes (the lint), and, when a file loads,
// every event of the samples routed and explained through it. A bad file must be a
// RouteError, never a crash, a hang or another exception.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "harness.h"
#include "route/route.h"

namespace {

using namespace cmrelay;

// A few events with the labels route files test (severity, namespace, team, numbers, IPs).
const std::vector<Event>& events() {
  static const std::vector<Event> all = [] {
    std::vector<Event> v(3);
    v[0].status = Status::Critical;
    v[0].title = "prod-ecs-cpu on checkout-api-03: CpuTotal 96.35% (threshold 90%)";
    v[0].alert_key = "volc.metric/1/i-1";
    v[0].labels.add("namespace", "VCM_ECS");
    v[0].labels.add("team", "checkout");
    v[0].labels.add("current_value", "96.35");
    v[0].labels.add("ip", "10.1.2.3");
    v[1].status = Status::Ok;
    v[1].labels.add("namespace", "acs_rds_dashboard");
    v[1].labels.add("ip", "fd00::1");
    v[2].status = Status::Warning;
    v[2].labels.add("region", "cn-guangzhou");
    v[2].labels.add("event_type", "ecs:Disk:DiskError");
    return v;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The sample route files name these; an undefined ${VAR} is a load error.
  ::setenv("FLASHDUTY_DBA_KEY", "fuzz-dba", 1);
  ::setenv("FLASHDUTY_OPS_KEY", "fuzz-ops", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = fuzz::memfd_with(data, size);
  if (fd < 0) return 0;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  std::vector<std::string> findings;
  check_routes(path, findings);
  try {
    RouteTable table = RouteTable::load(path);
    std::vector<const Channel*> out;
    RouteExplanation why;
    for (const Event& e : events()) {
      out.clear();
      table.route(e, out);
      why = RouteExplanation{};
      table.explain(e, why);
      if (why.channels.size() != out.size()) {
        cmrelay::fuzz::fail("route_load_fuzz", "explain and route disagree");
      }
    }
  } catch (const RouteError&) {
  }
  ::close(fd);
  return 0;
}
