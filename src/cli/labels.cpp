// cmrelay labels: the label keys the bodies produce, for writing a route file.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/options.h"
#include "cli/read.h"
#include "output/label_census.h"
#include "report/diag.h"

namespace cmrelay::cli {

int labels(const ReadOptions& options) {
  auto pipeline = make_pipeline(options, true);
  if (!pipeline) return kUsage;
  LabelCensus census;
  std::atomic<bool>& stop = catch_stop_signals();
  read_inputs(
      *pipeline, options,
      [&](const Record&, const Detection&, EventBatch& events) {
        for (const Event& e : events) census.add(e);
      },
      &stop);
  if (::isatty(STDOUT_FILENO) == 1) {
    census.write_table(stdout);
  } else {
    census.write_ndjson(stdout);
  }
  if (census.keys_not_counted() > 0) {
    diag::say("labels: more than %zu distinct keys; %llu labels of later keys not counted", LabelCensus::kMaxKeys,
              static_cast<unsigned long long>(census.keys_not_counted()));
  }
  Outcomes outcomes;
  outcomes.add(kOutputFailed, !flush_stdout());
  diag::say("labels: %llu events", static_cast<unsigned long long>(census.events()));
  finish(*pipeline, outcomes);
  return stop_signal() != 0 ? 128 + stop_signal() : outcomes.status();
}

Run add_labels(CLI::App& cmd) {
  auto o = std::make_shared<ReadOptions>();
  add_read_options(cmd, *o);
  return [o] { return labels(*o); };
}

}  // namespace cmrelay::cli
