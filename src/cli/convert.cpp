#include <cstdio>

#include "cli/commands.h"
#include "cli/read.h"
#include "output/ndjson.h"

namespace cmrelay::cli {

int convert(const ConvertOptions& options) {
  auto pipeline = make_pipeline(options.read, true);
  if (!pipeline) return kUsage;
  NdjsonWriter out(stdout, options.pretty);
  pipeline->run(options.read.paths, [&](const Record&, const Detection&, EventBatch& events) {
    for (const Event& e : events) out.write(e);
  });
  if (!out.flush()) {
    std::perror("cmrelay: writing standard output");
    return kRejected;
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
