// Turns ReadOptions into a ready Pipeline, reporting usage errors, and the ends of a run
// shared by the commands: the exit status, standard output, --remove-done.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "pipeline/pipeline.h"
#include "route/route.h"

namespace cmrelay {
class NdjsonWriter;
}

namespace cmrelay::cli {

// A pipeline for the options, or nullptr after printing the usage error. severity, when
// given (a route file's table), replaces the default vendor severity table. The reject
// file and standard output may not be inputs (a run would read its own new records
// without end).
std::unique_ptr<Pipeline> make_pipeline(const ReadOptions& options, bool decode,
                                        const SeverityTable* severity = nullptr);

// True when the file open on fd (or at path) is one of the files the inputs expand to,
// standard input included.
bool is_an_input(int fd, const ReadOptions& options);
bool is_an_input(const std::string& path, const ReadOptions& options);

// The route file, or nullopt after printing "cmrelay: FILE:LINE: message".
// without_secrets (routes test, convert --routes): an undefined ${VAR} becomes <unset:VAR>,
// said once per variable on stderr, instead of an error.
std::optional<RouteTable> load_routes(const std::string& path, bool without_secrets = false);

// Reads the --replay files (dead-letter records only), then the PATHs (no dead-letter
// records); standard input is read when neither is given.
void read_inputs(Pipeline& pipeline, const ReadOptions& options, const Pipeline::OnBody& on_body,
                 const std::atomic<bool>* stop = nullptr);

// Prints "N of M bodies rejected", "K input(s) could not be read", "K file(s) skipped"
// when any were, and adds those outcomes (and failed reject records).
void finish(const Pipeline& p, Outcomes& outcomes);
// Only the outcomes: rejected, unread or skipped input, failed reject records.
void add_read_outcomes(const PipelineCounts& counts, Outcomes& outcomes);

// Flushes standard output; false after "cmrelay: writing standard output: REASON".
bool flush_stdout();
// Flushes a command's NDJSON writer, then standard output; a failure is said once (as
// flush_stdout does), also when the writer failed first.
bool flush_output(NdjsonWriter& out);

// --remove-done: removes every input file the run read whole and accounted for, unless it
// changed since (then it is kept, with a line). Each input that is kept gets a line
// "cmrelay: PATH: kept: REASON"; refused (non-empty) keeps them all, saying why.
void remove_done(const Pipeline& p, const std::string& refused);
// "cmrelay: N rejection lines not shown (--quiet or --max-errors)", when some were not.
void say_unsaid(const PipelineCounts& counts);

}  // namespace cmrelay::cli
