// Turns ReadOptions into a ready Pipeline, reporting usage errors.
#pragma once

#include <memory>
#include <string>

#include "cli/commands.h"
#include "pipeline/pipeline.h"

namespace cmrelay::cli {

// A pipeline for the options, or nullptr after printing the usage error.
std::unique_ptr<Pipeline> make_pipeline(const ReadOptions& options, bool decode);

// Prints the "N of M bodies rejected" summary when any was, and returns the exit status.
int finish(const Pipeline& p);

}  // namespace cmrelay::cli
