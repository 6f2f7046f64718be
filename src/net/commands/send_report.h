// The summary of a send run: text on stderr, or JSON on stdout (--stats json).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/deliver/sender.h"
#include "pipeline/pipeline.h"

namespace cmrelay::cli {

struct SendSummary {
  const PipelineCounts& counts;
  uint64_t unrouted;  // Events the route file sent nowhere.
  const std::vector<deliver::ChannelStats>& channels;
  bool interrupted;                     // A signal stopped the run.
  const std::string& dead_letter_path;  // Empty: the records went to stderr.
};

struct Totals {
  uint64_t attempts = 0, delivered = 0, retried = 0, dead_lettered = 0;
  uint64_t dead_letter_failed = 0;  // Of dead_lettered: on stderr, the file did not take them.
  uint64_t interrupted = 0;         // Of dead_lettered: because of a signal.
  uint64_t throttled = 0;           // 429 answers.
};

Totals add_up(const std::vector<deliver::ChannelStats>& channels);

// The progress line: "sending: 120 bodies read, 800 delivered, 12 retrying,
// 400 queued, 0 dead-lettered, 16.4/s" (queued: not yet attempted, or in flight).
std::string progress_text(uint64_t bodies, const deliver::SenderProgress& p, double seconds);

// "cmrelay: send: N events read from M bodies, ..." and one line per channel, on stderr.
void report_text(const SendSummary& summary);
// One JSON object on stdout: bodies, events, rejected, unreadable, skipped, reject_failed, unrouted, attempts,
// delivered, retried, dead_lettered, dead_letter_failed, throttled, interrupted, channels[] (each with its rate
// and last_request_id too).
void report_json(const SendSummary& summary);

}  // namespace cmrelay::cli
