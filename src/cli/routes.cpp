// cmrelay routes check, and routes test over payloads (each event's route explained).
#include "cli/routes.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "cli/read.h"
#include "output/ndjson.h"
#include "route/redact.h"

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

int routes_check(const std::string& file) {
  std::vector<std::string> findings;
  bool readable = check_routes(file, findings);
  if (!readable) {
    std::fprintf(stderr, "cmrelay: %s\n", findings.front().c_str());
    return kUsage;
  }
  for (const std::string& f : findings) std::printf("%s\n", f.c_str());
  if (!findings.empty()) return kRejected;
  RouteTable routes = RouteTable::load(file);
  std::printf("%s: ok: %zu channels, %zu cases\n", file.c_str(), routes.channels().size(), routes.case_count());
  for (const Channel& c : routes.channels()) {
    std::printf("  %s%s%s -> %s\n", c.name.c_str(), c.id.empty() ? "" : " id ", c.id.c_str(), redact_url(c.url).c_str());
  }
  return kOk;
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
    if (!c.note.empty()) out += " (" + c.note + ")";
    out += '\n';
    for (const ConditionVerdict& v : c.conditions) {
      out += "    " + v.text + ": " + (v.result ? "true" : "false");
      out += v.present ? " (saw '" + v.seen + "')\n" : " (absent)\n";
    }
  }
  out += why.default_used ? "  default: used (no case matched)\n" : "  default: not used\n";
  out += "  channels: " + channel_list(why.channels) + '\n';
}

}  // namespace

int routes_test(const RoutesTestOptions& options) {
  std::optional<RouteTable> routes = load_routes(options.file, true);
  if (!routes) return kUsage;
  if (!options.cases_path.empty()) {
    if (!options.read.paths.empty() || options.has_expect) {
      std::fprintf(stderr, "cmrelay: routes test --cases takes neither PATH nor --expect (the cases file names both)\n");
      return kUsage;
    }
    return run_route_cases(*routes, options);
  }
  auto pipeline = make_pipeline(options.read, true, &routes->severity());
  if (!pipeline) return kUsage;
  std::vector<std::string> expected = split_names(options.expect);
  NdjsonWriter out(stdout, false);
  RouteExplanation why;
  std::string text;
  uint64_t mismatches = 0;
  pipeline->run(options.read.paths, [&](const Record& rec, const Detection&, EventBatch& events) {
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      routes->explain(e, why);
      text.assign(rec.source);
      text += ':' + std::to_string(rec.index) + " event " + std::to_string(i + 1) + ": " +
              std::string(status_name(e.status)) + " \"" + e.title + "\"\n";
      print_explanation(why, text);
      if (options.has_expect) {
        bool ok = same_channels(why.channels, expected);
        mismatches += ok ? 0 : 1;
        text += ok ? "  expected " + channel_list(expected) + ": ok\n"
                   : "  MISMATCH: expected " + channel_list(expected) + ", got " + channel_list(why.channels) + '\n';
      }
      text.pop_back();
      out.write_line(text);
    }
  });
  out.flush();
  int status = finish(*pipeline);
  if (mismatches > 0) {
    std::fprintf(stderr, "cmrelay: %llu events did not route to %s\n", static_cast<unsigned long long>(mismatches),
                 channel_list(expected).c_str());
    return kRejected;
  }
  return status;
}

}  // namespace cmrelay::cli
