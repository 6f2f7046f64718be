// Turns ReadOptions into a ready Pipeline, reporting usage errors.
#pragma once

#include <memory>
#include <string>

#include "cli/commands.h"
#include "pipeline/pipeline.h"

namespace cmrelay::cli {

// A pipeline for the options, or nullptr after printing the usage error.
std::unique_ptr<Pipeline> make_pipeline(const ReadOptions& options, bool decode);

// Prints "N of M bodies rejected" / "K input(s) could not be read" when any were, and
// returns the exit status.
int finish(const Pipeline& p);

}  // namespace cmrelay::cli
