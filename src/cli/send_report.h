// The summary of a send run: text on stderr, or JSON on stdout (--stats json).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "deliver/sender.h"
#include "pipeline/pipeline.h"

namespace cmrelay::cli {

struct SendSummary {
  const PipelineCounts& counts;
  uint64_t unrouted;  // Events the route file sent nowhere.
  const std::vector<deliver::ChannelStats>& channels;
  bool interrupted;   // A signal stopped the run.
  const std::string& dead_letter_path;  // Empty: the records went to stderr.
};

struct Totals {
  uint64_t attempts = 0, delivered = 0, retried = 0, dead_lettered = 0;
  uint64_t dead_letter_failed = 0;  // Of dead_lettered: on stderr, the file did not take them.
};

Totals add_up(const std::vector<deliver::ChannelStats>& channels);

// "cmrelay: send: N events read from M bodies, ..." and one line per channel, on stderr.
void report_text(const SendSummary& summary);
// One JSON object on stdout: bodies, events, rejected, unreadable, skipped, reject_failed, unrouted, attempts, delivered,
// retried, dead_lettered, dead_letter_failed, interrupted, channels[].
void report_json(const SendSummary& summary);

}  // namespace cmrelay::cli
