// Turns ReadOptions into a ready Pipeline, reporting usage errors.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "pipeline/pipeline.h"
#include "route/route.h"

namespace cmrelay::cli {

// A pipeline for the options, or nullptr after printing the usage error. severity, when
// given (a route file's table), replaces the default vendor severity table.
std::unique_ptr<Pipeline> make_pipeline(const ReadOptions& options, bool decode,
                                        const SeverityTable* severity = nullptr);

// The route file, or nullopt after printing "cmrelay: FILE:LINE: message".
// without_secrets (routes test, convert --routes): an undefined ${VAR} becomes <unset:VAR>,
// said once per variable on stderr, instead of an error.
std::optional<RouteTable> load_routes(const std::string& path, bool without_secrets = false);

// Prints "N of M bodies rejected" / "K input(s) could not be read" when any were, and
// returns the exit status.
int finish(const Pipeline& p);
// "cmrelay: N rejection lines not shown (--quiet or --max-errors)", when some were not.
void say_unsaid(const PipelineCounts& counts);

}  // namespace cmrelay::cli
