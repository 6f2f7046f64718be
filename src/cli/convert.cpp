#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/options.h"
#include "cli/read.h"
#include "output/ndjson.h"
#include "report/diag.h"
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
  uint64_t unrouted = 0;
  // Rendered on the reading threads (--jobs), written here in input order.
  pipeline->render_with(
      [&](const Record& rec, const Detection& d, EventBatch& events, Rendered& r) {
        thread_local std::vector<const Channel*> channels;
        thread_local std::vector<std::string> names;
        for (const Event& e : events) {
          if (!routes) {
            append_event_json(e, r.out, options.pretty);
            r.out.Put('\n');
            continue;
          }
          pick_channels(*routes, d, rec, e, channels);  // Exactly what send does.
          names.resize(channels.size());
          for (size_t i = 0; i < channels.size(); ++i) names[i].assign(channels[i]->name);
          append_event_json(e, r.out, options.pretty, &names);
          r.out.Put('\n');
          if (channels.empty()) {
            ++r.tally[0];
            r.line(diag::where(rec.source, rec.index) + ": event " + text::escape(e.alert_key) +
                   " routed to no channel");
          }
        }
      },
      [&](Rendered& r) {
        out.write_raw(std::string_view(r.out.GetString(), r.out.GetSize()));
        unrouted += r.tally[0];
        if (out.failed()) stop.store(true);  // Nothing more can be printed: stop reading.
      });
  read_inputs(*pipeline, options.read, nullptr, &stop);
  const bool output_ok = flush_output(out);
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
  pipeline->render_with(
      [](const Record& rec, const Detection& d, EventBatch&, Rendered& r) {
        // Both quote the input (a file name, a body's keys): escaped, one body one line.
        thread_local std::string line;
        line.assign(text::escape(rec.source));
        line += ':';
        line += std::to_string(rec.index);
        line += ": ";
        line += d.format->id;
        line += " (";
        line += text::escape(d.evidence);
        line += ")\n";
        r.write(line);
      },
      [&](Rendered& r) {
        out.write_raw(std::string_view(r.out.GetString(), r.out.GetSize()));
        if (out.failed()) stop.store(true);
      });
  read_inputs(*pipeline, options, nullptr, &stop);
  const bool output_ok = flush_output(out);
  return conclude(options, *pipeline, output_ok);
}

Run add_convert(CLI::App& cmd) {
  auto o = std::make_shared<ConvertOptions>();
  add_read_options(cmd, o->read);
  add_remove_done(cmd, o->read);
  cmd.add_flag("--pretty", o->pretty, "Indent the events (for reading; not NDJSON)");
  cmd.add_flag("--quiet,-q", o->read.quiet,
               "No rejection lines or warnings on stderr; only the summary and fatal errors");
  cmd.add_option("--routes", o->routes_path, "Route file (YAML or JSON): add each event's \"channels\"")
      ->type_name("FILE");
  return [o] { return convert(*o); };
}

Run add_detect(CLI::App& cmd) {
  auto o = std::make_shared<ReadOptions>();
  add_read_options(cmd, *o);
  return [o] { return detect(*o); };
}

}  // namespace cmrelay::cli
