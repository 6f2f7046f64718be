#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/read.h"
#include "output/diag.h"
#include "output/ndjson.h"
#include "text/escape.h"

namespace cmrelay::cli {
namespace {

// The exit status once the pipeline has run and out is flushed: interrupted runs exit
// 128 + the signal; --remove-done removes what was accounted for.
int conclude(const ReadOptions& options, const Pipeline& pipeline, bool output_ok) {
  Outcomes outcomes;
  outcomes.add(kOutputFailed, !output_ok);
  finish(pipeline, outcomes);
  if (options.remove_done) remove_done(pipeline, output_ok ? "" : "standard output could not be written");
  return stop_signal() != 0 ? 128 + stop_signal() : outcomes.status();
}

}  // namespace

int convert(const ConvertOptions& options) {
  std::optional<RouteTable> routes;
  if (!options.routes_path.empty() && !(routes = load_routes(options.routes_path, true))) return kUsage;
  auto pipeline = make_pipeline(options.read, true, routes ? &routes->severity() : nullptr);
  if (!pipeline) return kUsage;
  std::atomic<bool>& stop = catch_stop_signals();
  NdjsonWriter out(stdout, options.pretty);
  // On a pipe, what was converted goes out as soon as the input pauses.
  pipeline->on_idle([&out] { out.flush(); });
  std::vector<const Channel*> channels;
  std::vector<std::string> names;
  uint64_t unrouted = 0;
  read_inputs(
      *pipeline, options.read,
      [&](const Record& rec, const Detection& d, EventBatch& events) {
        for (const Event& e : events) {
          if (!routes) {
            out.write(e);
            continue;
          }
          pick_channels(*routes, d, rec, e, channels);  // Exactly what send does.
          names.resize(channels.size());
          for (size_t i = 0; i < channels.size(); ++i) names[i].assign(channels[i]->name);
          out.write(e, &names);
          if (channels.empty()) {
            ++unrouted;
            diag::say("%s:%llu: event %s routed to no channel",
                         text::escape(rec.source).c_str(), static_cast<unsigned long long>(rec.index),
                         text::escape(e.alert_key).c_str());
          }
        }
        if (out.failed()) stop.store(true);  // Nothing more can be printed: stop reading.
      },
      &stop);
  const bool output_ok = out.flush() && flush_stdout();
  if (unrouted > 0) {
    diag::say("%llu of %llu events routed to no channel", static_cast<unsigned long long>(unrouted),
                 static_cast<unsigned long long>(pipeline->counts().events));
  }
  return conclude(options.read, *pipeline, output_ok);
}

int detect(const ReadOptions& options) {
  auto pipeline = make_pipeline(options, false);
  if (!pipeline) return kUsage;
  std::atomic<bool>& stop = catch_stop_signals();
  NdjsonWriter out(stdout, false);
  std::string line;
  read_inputs(
      *pipeline, options,
      [&](const Record& rec, const Detection& d, EventBatch&) {
        // Both quote the input (a file name, a body's keys): escaped, one body one line.
        line.assign(text::escape(rec.source));
        line += ':';
        line += std::to_string(rec.index);
        line += ": ";
        line += d.format->id;
        line += " (";
        line += text::escape(d.evidence);
        line += ')';
        out.write_line(line);
        if (out.failed()) stop.store(true);
      },
      &stop);
  const bool output_ok = out.flush() && flush_stdout();
  return conclude(options, *pipeline, output_ok);
}

}  // namespace cmrelay::cli
