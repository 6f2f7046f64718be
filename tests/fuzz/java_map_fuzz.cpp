// libFuzzer harness: Alibaba's Java-map `dimensions` text ("{userId=1, instanceId=i-1}")
// through java_map::parse. Beyond crashes and undefined behaviour: a parse either fails with
// a reason or gives entries whose keys are non-empty and as trimmed as promised.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"
#include "vendors/java_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cmrelay;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<java_map::Entry> entries;
  std::string error;
  const bool ok = java_map::parse(text, entries, error);
  if (!ok && error.empty()) {
    cmrelay::fuzz::fail("java_map_fuzz", "failed without a reason");
  }
  if (ok) {
    for (const auto& [key, value] : entries) {
      if (key.empty() || key.front() == ' ' || key.back() == ' ') {
        cmrelay::fuzz::fail("java_map_fuzz", "empty or untrimmed key");
      }
      if (key.size() + value.size() > size) {
        cmrelay::fuzz::fail("java_map_fuzz", "an entry longer than the text");
      }
    }
  }
  return 0;
}
