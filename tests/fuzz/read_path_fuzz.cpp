// libFuzzer harness: arbitrary bytes through the whole read path, exactly as `cmrelay
// convert` runs it: a real file descriptor (memfd) into the Framer (JSON, NDJSON, arrays,
// form lines, HTTP captures with Content-Length or chunked bodies), form decoding, JSON
// parsing, detection, every decoder, Flashduty's limits, --reject records, and the NDJSON
// writer (compact and pretty). Beyond crashes, leaks and undefined behaviour it checks what
// every event must be: valid UTF-8 JSON within Flashduty's limits, and one event or one
// rejection per body.
#include <rapidjson/stringbuffer.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "event/limits.h"
#include "harness.h"
#include "output/ndjson.h"
#include "pipeline/pipeline.h"
#include "text/utf8.h"

namespace {

using namespace cmrelay;

[[noreturn]] void fail(const char* what) { fuzz::fail("read_path_fuzz", what); }

void check_event(const Event& e) {
  if (utf8::length(e.title) > Limits::kTitle) fail("title over the limit");
  if (utf8::length(e.alert_key) > Limits::kAlertKey) fail("alert_key over the limit");
  if (utf8::length(e.description) > Limits::kDescription) fail("description over the limit");
  if (e.labels.size() > Limits::kLabels) fail("too many labels");
  for (const Label& l : e.labels) {
    if (utf8::length(l.key) > Limits::kLabelKey || utf8::length(l.value) > Limits::kLabelValue) {
      fail("label over the limit");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = fuzz::memfd_with(data, size);
  if (fd < 0) return 0;

  PipelineOptions options;
  // A first byte with the top bit set (never the start of a real body) picks a tiny limit,
  // so over-limit bodies are cut and skipped in every framing.
  if (size > 0 && (data[0] & 0x80) != 0) options.max_body = 8 + data[0] % 120;
  options.reject_path = "/dev/null";
  Pipeline pipeline(options);
  std::string error;
  if (!pipeline.open(error)) fail("cannot open /dev/null");

  static std::FILE* sink = std::fopen("/dev/null", "w");
  NdjsonWriter compact(sink, false);
  NdjsonWriter pretty(sink, true);
  rapidjson::StringBuffer line;
  uint64_t bodies_with_events = 0;
  pipeline.read_source(fd, "fuzz", [&](const Record&, const Detection&, EventBatch& events) {
    ++bodies_with_events;
    if (events.empty()) fail("a converted body without events");
    for (const Event& e : events) {
      check_event(e);
      line.Clear();
      append_event_json(e, line);
      if (!utf8::valid(std::string_view(line.GetString(), line.GetSize()))) fail("output is not UTF-8");
      for (size_t i = 0; i < line.GetSize(); ++i) {
        if (line.GetString()[i] == '\n') fail("a raw newline inside an NDJSON line");
      }
      compact.write(e);
      pretty.write(e);
    }
  });
  ::close(fd);
  const PipelineCounts& c = pipeline.counts();
  if (bodies_with_events + c.rejected != c.bodies) fail("a body neither converted nor rejected");
  return 0;
}
