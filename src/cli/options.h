// The command-line options more than one command takes, each registered in one place so that
// it reads, checks and prints the same everywhere: the reading options (PATHs, --max-body,
// --jobs, ...), and the grammars of durations, ages and sizes (text/duration.h, text/size.h).
// A value outside its grammar or range is a usage error (exit 2) with the grammar's message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "cli/commands.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace cmrelay::cli {

// The options of every command that reads bodies: PATHs, --vendor, --reject, --replay,
// --max-errors, --max-body, --jobs, --all-files, --include.
// --vendor's help: "auto, or one of" the vendor names the registry knows.
std::string vendor_help();

void add_read_options(CLI::App& cmd, ReadOptions& o);

// --remove-done (convert, send).
void add_remove_done(CLI::App& cmd, ReadOptions& o);

// A DURATION option; target receives milliseconds. Its default (target's value) is shown in seconds.
void add_seconds(CLI::App& cmd, const std::string& name, std::chrono::milliseconds& target, const std::string& what);

// An AGE option: a duration of at least a second ("30d", "12h"), counted in whole seconds;
// its default is shown in days.
void add_age(CLI::App& cmd, const std::string& name, std::chrono::seconds& target, const std::string& what);

// A SIZE option (text/size.h) from min to max bytes (UINT64_MAX: no bound of its own); set
// receives the bytes. Its default is shown as shown_default.
CLI::Option* add_size(CLI::App& cmd, const std::string& name, const std::function<void(uint64_t)>& set,
                      const std::string& what, uint64_t min, uint64_t max, const std::string& shown_default);

// --max-body, the largest body a command reads, in every command that has one: 1k to 1g.
inline constexpr uint64_t kMinMaxBody = uint64_t{1} << 10;
inline constexpr uint64_t kMaxMaxBody = uint64_t{1} << 30;

}  // namespace cmrelay::cli
