// cmrelay routes check, and routes test over payloads (each event's route explained).
#include "cli/routes.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/options.h"
#include "cli/read.h"
#include "cli/signals.h"
#include "output/ndjson.h"
#include "report/diag.h"
#include "route/dispatch.h"
#include "text/escape.h"
#include "text/url_redact.h"

namespace cmrelay::cli {

std::string channel_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const std::string& n : names) {
    out += out.size() > 1 ? ", " : "";
    out += n;
  }
  return out + "]";
}

std::string channel_list(const std::vector<const Channel*>& channels) {
  std::vector<std::string> names;
  names.reserve(channels.size());
  for (const Channel* c : channels) names.push_back(c->name);
  return channel_list(names);
}

bool same_channels(const std::vector<const Channel*>& got, const std::vector<std::string>& expected) {
  std::vector<std::string> a, b(expected);
  for (const Channel* c : got) a.push_back(c->name);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  return a == b;
}

int routes_check(const std::string& file, bool flashduty) {
  std::vector<std::string> findings;
  size_t warnings = 0;
  bool readable = check_routes(file, findings, &warnings, flashduty);
  if (!readable) {
    diag::say("%s", findings.front().c_str());
    return kUsage;
  }
  for (const std::string& f : findings) std::printf("%s\n", f.c_str());
  // Warnings alone leave the file usable: ok.
  if (findings.size() > warnings) return flush_stdout() ? kRejected : kOutputFailed;
  RouteTable routes = RouteTable::load(file);
  if (!routes.has_default()) {
    // Not a finding (a catch-all case may do), but send dead-letters what routes nowhere.
    diag::say(
        "%s: warning: no default: an event that matches no case is routed to no channel "
        "(send dead-letters it as unrouted and exits 4)",
        file.c_str());
  }
  std::printf("%s: ok: %zu channels, %zu cases\n", file.c_str(), routes.channels().size(), routes.case_count());
  for (const Channel& c : routes.channels()) {
    const std::string kind = c.target->kind() == "flashduty" ? "" : " (" + std::string(c.target->kind()) + ")";
    std::printf("  %s%s%s%s -> %s\n", c.name.c_str(), kind.c_str(), c.id.empty() ? "" : " id ", c.id.c_str(),
                redact_url(c.url, c.redact).c_str());
  }
  return flush_stdout() ? kOk : kOutputFailed;
}

namespace {

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

// The cases' verdicts and the default, as routes test prints them.
void print_cases(const RouteExplanation& why, std::string& out) {
  for (const CaseVerdict& c : why.cases) {
    out += "  case " + c.name + " (line " + std::to_string(c.line) + "): ";
    if (!c.reached) {
      out += "not reached\n";
      continue;
    }
    out += c.matched ? "matched" : "no match";
    if (c.matched) out += ", adds " + channel_list(c.channels) + (c.stopped ? ", stops" : ", falls through");
    if (!c.note.empty()) out += " (" + text::escape(c.note) + ")";
    out += '\n';
    for (const ConditionVerdict& v : c.conditions) {
      out += "    " + v.text + ": " + (v.result ? "true" : "false");
      out += v.present ? " (saw '" + text::escape(v.seen) + "')\n" : " (absent)\n";
    }
  }
  out += why.default_used ? "  default: used (" + why.default_reason + ")\n" : "  default: not used\n";
}

// One event's route, explained: its line, then the cases (or the replay), what the state
// added, and the channels dispatch gave (what send and serve deliver to).
void explain_event(const Record& rec, size_t n, const Event& e, const DispatchExplanation& why,
                   const std::vector<const Channel*>& channels, std::string& report) {
  // What came from the input (file name, title, values seen) is escaped: one line each.
  report.assign(text::escape(rec.source));
  report += ':' + std::to_string(rec.index) + " event " + std::to_string(n) + ": " +
            std::string(status_name(e.status)) + " \"" + text::escape(e.title) + "\"";
  if (e.status == Status::Ok) {
    report += why.cases.severity.empty()
                  ? " (a recovery; its alert's severity is unknown: severity conditions see none)"
                  : " (a recovery, routed with its alert's severity " + text::escape(why.cases.severity) + ")";
  }
  report += '\n';
  if (why.evaluated) {
    print_cases(why.cases, report);
  } else {
    report += "  replay: back to channel " + text::escape(why.replayed) +
              ", named by the dead-letter record (cases not evaluated)\n";
  }
  if (why.recalled) {
    report += "  state: its alert went to " + channel_list(why.remembered);
    report += why.added.empty() ? "\n" : ", adds " + channel_list(why.added) + '\n';
  }
  report += "  channels: " + channel_list(channels) + '\n';
}

// --expect's verdict on one event's channels.
void check_expected(const std::vector<const Channel*>& channels, const std::vector<std::string>& expected, Rendered& r,
                    std::string& report) {
  ++r.tally[0];
  const bool ok = same_channels(channels, expected);
  r.tally[1] += ok ? 0 : 1;
  report += ok ? "  expected " + channel_list(expected) + ": ok\n"
               : "  MISMATCH: expected " + channel_list(expected) + ", got " + channel_list(channels) + '\n';
}

// The exit status once every event was explained.
int conclude(const RoutesTestOptions& options, const Pipeline& pipeline, const Memory* memory, bool output_ok,
             uint64_t checked, uint64_t mismatches) {
  Outcomes outcomes;
  outcomes.add(kOutputFailed, !output_ok);
  finish(pipeline, outcomes);
  if (mismatches > 0) {
    diag::say("%llu events did not route to %s", static_cast<unsigned long long>(mismatches),
              channel_list(split_names(options.expect)).c_str());
    outcomes.add(kRejected);
  }
  if (options.has_expect && checked == 0) {
    // An expectation that checked nothing must not pass: an empty or all-rejected input.
    diag::say("routes test --expect: no event was read, so nothing was checked");
    outcomes.add(kRejected);
  }
  outcomes.add(kStateFailed, memory != nullptr && memory->failed());
  return signals::received().exit_status(outcomes.status());
}

// What a channel of another kind than Flashduty's is sent for the event: its target's
// request, secrets masked (route/channel.h's preview), escaped as every line is.
void print_requests(const Event& e, const std::vector<const Channel*>& channels, std::string& out) {
  rapidjson::StringBuffer json;
  for (const Channel* c : channels) {
    if (c->target->kind() == "flashduty") continue;
    if (json.GetSize() == 0) append_event_json(e, json);
    const Preview p = preview(*c, std::string_view(json.GetString(), json.GetSize()));
    out += "  request to " + c->name + " (" + std::string(c->target->kind()) + "): ";
    out += p.error.empty() ? "POST " + text::escape(p.url) + "\n    " + text::escape(p.body)
                           : "cannot render: " + text::escape(p.error);
    out += '\n';
  }
}

}  // namespace

int routes_test(const RoutesTestOptions& options, Memory* memory) {
  std::optional<RouteTable> routes = load_routes(options.file, true);
  if (!routes) return kUsage;
  if (!options.cases_path.empty()) {
    if (!options.read.paths.empty() || !options.read.replay_paths.empty() || options.has_expect ||
        !options.state.empty()) {
      diag::say(
          "routes test --cases takes neither PATH nor --expect nor --replay (the cases file names both) nor --state "
          "(each case is its alert's whole history)");
      return kUsage;
    }
    return run_route_cases(*routes, options);
  }
  auto pipeline = make_pipeline(options.read, true, &routes->severity());
  if (!pipeline) return kUsage;
  const std::vector<std::string> expected = split_names(options.expect);
  std::atomic<bool>& stop = signals::install().stop;
  NdjsonWriter out(stdout, false);
  Dispatch dispatch(*routes, memory);
  uint64_t mismatches = 0, checked = 0;
  // Explained on the reading threads (--jobs), written here in input order. tally[0]: events
  // checked against --expect; tally[1]: mismatches.
  pipeline->render_with(
      [&](const Record& rec, const Detection&, EventBatch& events, Rendered& r) {
        thread_local DispatchExplanation why;
        thread_local std::string report;
        thread_local std::vector<const Channel*> channels;
        for (size_t i = 0; i < events.size(); ++i) {
          dispatch.explain(events[i], channels, why);  // What send and serve do.
          explain_event(rec, i + 1, events[i], why, channels, report);
          print_requests(events[i], channels, report);
          if (options.has_expect) check_expected(channels, expected, r, report);
          r.write(report);
        }
      },
      [&](Rendered& r) {
        out.write_raw(std::string_view(r.out.GetString(), r.out.GetSize()));
        checked += r.tally[0];
        mismatches += r.tally[1];
        if (out.failed()) stop.store(true);
      });
  read_inputs(*pipeline, options.read, nullptr, &stop);
  const bool output_ok = flush_output(out);
  return conclude(options, *pipeline, memory, output_ok, checked, mismatches);
}

Run add_routes(CLI::App& cmd) { return add_routes_with(cmd, nullptr); }

Run add_routes_with(CLI::App& cmd, int (*with_state)(const RoutesTestOptions&)) {
  cmd.require_subcommand(1);
  struct CheckOptions {
    std::string file;
    bool flashduty = false;
  };
  CLI::App* check = cmd.add_subcommand("check", "Report every problem of a route file, one FILE:LINE: line each");
  auto c = std::make_shared<CheckOptions>();
  check->add_option("file", c->file, "The route file (YAML or JSON)")->required();
  check->add_flag("--flashduty", c->flashduty,
                  "Also warn about every line Flashduty's route would not accept (cmrelay's extensions)");

  CLI::App* test = cmd.add_subcommand("test", "Explain each event's route (cases, verdicts, channels), or run --cases");
  auto o = std::make_shared<RoutesTestOptions>();
  test->add_option("file", o->file, "The route file (YAML or JSON)")->required();
  add_read_options(*test, o->read);
  CLI::Option* expect = test->add_option("--expect", o->expect,
                                         "Comma-separated channels every event must reach (any order); exit 1 "
                                         "otherwise, or when no event was read")
                            ->type_name("CH,...");
  test->add_option("--cases", o->cases_path, "Batch of named cases with expected channels")->type_name("TESTS.yaml");
  test->add_option("--state", o->state,
                   "Route recoveries with send's open-alert state FILE too, read only (runs cmrelay-full); none: "
                   "without it")
      ->type_name("FILE|none");
  return [check, c, o, expect, with_state] {
    if (check->parsed()) return routes_check(c->file, c->flashduty);
    o->has_expect = expect->count() > 0;
    if (o->state.empty()) return routes_test(*o);
    if (with_state != nullptr) return with_state(*o);
    // The light binary hands such a command line to cmrelay-full before parsing (cli/full.h).
    diag::say("routes test --state needs cmrelay-full");
    return static_cast<int>(kUsage);
  };
}

}  // namespace cmrelay::cli
