#include "cli/read.h"

#include <unistd.h>

#include <cstdio>

#include "input/sources.h"

namespace cmrelay::cli {

std::unique_ptr<Pipeline> make_pipeline(const ReadOptions& options, bool decode, const SeverityTable* severity) {
  PipelineOptions po;
  if (severity != nullptr) po.severity = *severity;
  if (options.vendor != "auto") {
    po.vendor = parse_vendor(options.vendor);
    if (!po.vendor || *po.vendor == Vendor::Flashduty) {
      std::fprintf(stderr, "cmrelay: --vendor must be auto, volcengine or alibaba, not '%s'\n", options.vendor.c_str());
      return nullptr;
    }
  }
  po.max_body = options.max_body;
  po.reject_path = options.reject_path;
  po.decode = decode;
  po.max_errors = options.max_errors;
  po.quiet = options.quiet;
  auto p = std::make_unique<Pipeline>(std::move(po));
  std::string error;
  if (!p->open(error)) {
    std::fprintf(stderr, "cmrelay: %s\n", error.c_str());
    return nullptr;
  }
  bool reads_stdin = options.paths.empty();
  for (const std::string& path : options.paths) reads_stdin |= path == "-";
  if (reads_stdin && ::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "cmrelay: reading bodies from standard input (end with Ctrl-D; --help for usage)\n");
  }
  return p;
}

std::optional<RouteTable> load_routes(const std::string& path, bool without_secrets) {
  try {
    if (!without_secrets) return RouteTable::load(path);
    std::vector<std::string> unset;
    RouteTable table = RouteTable::load_without_secrets(path, unset);
    for (const std::string& name : unset) {
      std::fprintf(stderr, "cmrelay: %s: ${%s} is not set: shown as <unset:%s> here (send refuses it)\n", path.c_str(),
                   name.c_str(), name.c_str());
    }
    return table;
  } catch (const RouteError& e) {
    std::fprintf(stderr, "cmrelay: %s\n", e.what());
    return std::nullopt;
  }
}

void say_unsaid(const PipelineCounts& c) {
  if (c.unsaid == 0) return;
  std::fprintf(stderr, "cmrelay: %llu rejection line%s not shown (--quiet or --max-errors)\n",
               static_cast<unsigned long long>(c.unsaid), c.unsaid == 1 ? "" : "s");
}

int finish(const Pipeline& p) {
  const PipelineCounts& c = p.counts();
  if (c.rejected > 0) {
    std::fprintf(stderr, "cmrelay: %llu of %llu bodies rejected\n", static_cast<unsigned long long>(c.rejected),
                 static_cast<unsigned long long>(c.bodies));
  }
  say_unsaid(c);
  if (c.unreadable > 0) {
    std::fprintf(stderr, "cmrelay: %llu input(s) could not be read\n", static_cast<unsigned long long>(c.unreadable));
  }
  return c.rejected > 0 || c.unreadable > 0 ? kRejected : kOk;
}

}  // namespace cmrelay::cli
