// cmrelay routes check, and routes test over payloads (each event's route explained).
#include "cli/routes.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/interrupt.h"
#include "cli/options.h"
#include "cli/read.h"
#include "output/ndjson.h"
#include "report/diag.h"
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
    std::printf("  %s%s%s -> %s\n", c.name.c_str(), c.id.empty() ? "" : " id ", c.id.c_str(),
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

void print_explanation(const RouteExplanation& why, std::string& out) {
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
  out += "  channels: " + channel_list(why.channels) + '\n';
}

}  // namespace

int routes_test(const RoutesTestOptions& options) {
  std::optional<RouteTable> routes = load_routes(options.file, true);
  if (!routes) return kUsage;
  if (!options.cases_path.empty()) {
    if (!options.read.paths.empty() || !options.read.replay_paths.empty() || options.has_expect) {
      diag::say("routes test --cases takes neither PATH nor --expect nor --replay (the cases file names both)");
      return kUsage;
    }
    return run_route_cases(*routes, options);
  }
  auto pipeline = make_pipeline(options.read, true, &routes->severity());
  if (!pipeline) return kUsage;
  std::vector<std::string> expected = split_names(options.expect);
  std::atomic<bool>& stop = catch_stop_signals();
  NdjsonWriter out(stdout, false);
  uint64_t mismatches = 0, checked = 0;
  // Explained on the reading threads (--jobs), written here in input order. tally[0]: events
  // checked against --expect; tally[1]: mismatches.
  pipeline->render_with(
      [&](const Record& rec, const Detection& d, EventBatch& events, Rendered& r) {
        thread_local RouteExplanation why;
        thread_local std::string report;
        thread_local std::vector<const Channel*> channels;
        thread_local std::string replayed;
        for (size_t i = 0; i < events.size(); ++i) {
          const Event& e = events[i];
          // What send does: a replayed record back to its channel, else the cases.
          pick_channels(*routes, d, rec, e, channels, &replayed);
          if (replayed.empty()) {
            routes->explain(e, why);
          } else {
            why = RouteExplanation{};
            why.channels = channels;
          }
          // What came from the input (file name, title, values seen) is escaped: one line each.
          report.assign(text::escape(rec.source));
          report += ':' + std::to_string(rec.index) + " event " + std::to_string(i + 1) + ": " +
                    std::string(status_name(e.status)) + " \"" + text::escape(e.title) + "\"";
          if (e.status == Status::Ok) {
            report += why.severity.empty()
                          ? " (a recovery; its alert's severity is unknown: severity conditions see none)"
                          : " (a recovery, routed with its alert's severity " + text::escape(why.severity) + ")";
          }
          report += '\n';
          if (replayed.empty()) {
            print_explanation(why, report);
          } else {
            report += "  replay: back to channel " + text::escape(replayed) +
                      ", named by the dead-letter record (cases not evaluated)\n";
            report += "  channels: " + channel_list(why.channels) + '\n';
          }
          if (options.has_expect) {
            ++r.tally[0];
            bool ok = same_channels(why.channels, expected);
            r.tally[1] += ok ? 0 : 1;
            report +=
                ok ? "  expected " + channel_list(expected) + ": ok\n"
                   : "  MISMATCH: expected " + channel_list(expected) + ", got " + channel_list(why.channels) + '\n';
          }
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
  Outcomes outcomes;
  outcomes.add(kOutputFailed, !(flush_output(out)));
  finish(*pipeline, outcomes);
  if (mismatches > 0) {
    diag::say("%llu events did not route to %s", static_cast<unsigned long long>(mismatches),
              channel_list(expected).c_str());
    outcomes.add(kRejected);
  }
  if (options.has_expect && checked == 0) {
    // An expectation that checked nothing must not pass: an empty or all-rejected input.
    diag::say("routes test --expect: no event was read, so nothing was checked");
    outcomes.add(kRejected);
  }
  return stop_signal() != 0 ? 128 + stop_signal() : outcomes.status();
}

Run add_routes(CLI::App& cmd) {
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
  return [check, c, o, expect] {
    if (check->parsed()) return routes_check(c->file, c->flashduty);
    o->has_expect = expect->count() > 0;
    return routes_test(*o);
  };
}

}  // namespace cmrelay::cli
