// libFuzzer harness for what `cmrelay send` reads from outside: a Retry-After header value
// (seconds or an HTTP-date), a response body classified for Flashduty's error object, and
// dead-letter records written from fuzzed fields, which must read back through their decoder
// with the same channel (the one a replay goes back to). The dead-letter input format on
// arbitrary input is decoded on the read path, which read_path_fuzz covers.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harness.h"
#include "net/deliver/backoff.h"
#include "net/deliver/deadletter.h"
#include "net/deliver/outcome.h"
#include "text/utf8.h"
#include "vendors/flashduty.h"

namespace {

[[noreturn]] void fail(const char* what) { cmrelay::fuzz::fail("deliver_fuzz", what); }

// The channel the deadletter decoder hands over with the record's event.
std::string replay_channel_of(std::string_view record) {
  using namespace cmrelay;
  json::Parser parser;
  std::string error;
  json::Value* body = parser.parse(record, error);
  if (body == nullptr) fail("a dead-letter record is no JSON");
  std::vector<std::string> warnings;
  Record rec;
  SeverityTable severity;
  DecodeContext ctx{severity, parser, warnings, rec};
  EventBatch out;
  flashduty::kDeadLetterFormat.decode(*body, ctx, out);
  if (out.size() != 1) fail("a dead-letter record does not decode to its event");
  return out[0].replay_channel;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cmrelay::deliver;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1763775000));

  if (auto wait = parse_retry_after(in, now); wait && wait->count() < 0) fail("a negative Retry-After wait");

  const long status = size > 0 ? 100 + data[0] % 500 : 200;
  const Outcome o = classify(CURLE_OK, {}, status, in);
  if (o.verdict == Verdict::Delivered && (status < 200 || status > 299)) fail("delivered on a non-2xx status");

  // A record written from fuzzed text reads back its channel.
  const size_t cut = size / 3;
  DeadLetter d;
  d.time = 1763775000;
  d.channel = in.substr(0, cut);
  d.url = "https://hooks.example.com/x";
  d.attempts = 3;
  d.http_status = status;
  d.error = in.substr(cut);
  d.event_json = "{\"event_status\":\"Info\",\"title_rule\":\"t\"}";
  // Always a record a replay reads (fields that are not UTF-8 are written escaped); a channel
  // name that is UTF-8 reads back as it was.
  const std::string channel = replay_channel_of(format_dead_letter(d));
  if (cmrelay::utf8::valid(d.channel) && channel != d.channel)
    fail("a dead-letter record does not read back its channel");
  return 0;
}
