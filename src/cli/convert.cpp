#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include "cli/commands.h"
#include "cli/read.h"
#include "output/ndjson.h"

namespace cmrelay::cli {

int convert(const ConvertOptions& options) {
  std::optional<RouteTable> routes;
  if (!options.routes_path.empty() && !(routes = load_routes(options.routes_path, true))) return kUsage;
  auto pipeline = make_pipeline(options.read, true, routes ? &routes->severity() : nullptr);
  if (!pipeline) return kUsage;
  NdjsonWriter out(stdout, options.pretty);
  // On a pipe, what was converted goes out as soon as the input pauses.
  pipeline->on_idle([&out] { out.flush(); });
  std::vector<const Channel*> channels;
  std::vector<std::string> names;
  uint64_t unrouted = 0;
  pipeline->run(options.read.paths, [&](const Record& rec, const Detection&, EventBatch& events) {
    for (const Event& e : events) {
      if (!routes) {
        out.write(e);
        continue;
      }
      channels.clear();
      routes->route(e, channels);
      names.resize(channels.size());
      for (size_t i = 0; i < channels.size(); ++i) names[i].assign(channels[i]->name);
      out.write(e, &names);
      if (channels.empty()) {
        ++unrouted;
        std::fprintf(stderr, "cmrelay: %.*s:%llu: event %s routed to no channel\n", static_cast<int>(rec.source.size()),
                     rec.source.data(), static_cast<unsigned long long>(rec.index), e.alert_key.c_str());
      }
    }
  });
  if (!out.flush()) {
    std::perror("cmrelay: writing standard output");
    return kRejected;
  }
  if (unrouted > 0) {
    std::fprintf(stderr, "cmrelay: %llu of %llu events routed to no channel\n", static_cast<unsigned long long>(unrouted),
                 static_cast<unsigned long long>(pipeline->counts().events));
  }
  return finish(*pipeline);
}

int detect(const ReadOptions& options) {
  auto pipeline = make_pipeline(options, false);
  if (!pipeline) return kUsage;
  NdjsonWriter out(stdout, false);
  std::string line;
  pipeline->run(options.paths, [&](const Record& rec, const Detection& d, EventBatch&) {
    line.assign(rec.source);
    line += ':';
    line += std::to_string(rec.index);
    line += ": ";
    line += d.format->id;
    line += " (";
    line += d.evidence;
    line += ')';
    out.write_line(line);
  });
  out.flush();
  return finish(*pipeline);
}

}  // namespace cmrelay::cli
