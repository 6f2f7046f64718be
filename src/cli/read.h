// Turns ReadOptions into a ready Pipeline, reporting usage errors.
#pragma once

#include <atomic>
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
std::optional<RouteTable> load_routes(const std::string& path);

// Reads the --replay files (dead-letter records only), then the PATHs (no dead-letter
// records); standard input is read when neither is given.
void read_inputs(Pipeline& pipeline, const ReadOptions& options, const Pipeline::OnBody& on_body,
                 const std::atomic<bool>* stop = nullptr);

// Where send sends an event, and what convert --routes and routes test report: a replayed
// dead-letter record goes back to the channel it names when the route file declares it;
// everything else goes where the route file routes it. replayed (when given) is set to the
// record's channel when it went back there, else cleared.
void pick_channels(const RouteTable& routes, const Detection& d, const Record& rec, const Event& e,
                   std::vector<const Channel*>& out, std::string* replayed = nullptr);

// Prints "N of M bodies rejected" / "K input(s) could not be read" when any were, and
// returns the exit status.
int finish(const Pipeline& p);

}  // namespace cmrelay::cli
