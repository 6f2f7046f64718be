// The core commands: each registers its options and returns what runs it (add_*, for main()'s
// command table, cli/command.h); the delivering ones are in net/commands/options.h. Each wires
// stages together; none holds logic of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/command.h"
#include "input/framer.h"

namespace cmrelay::cli {

// Documented exit status (man page, README). Each outcome has its own code so that a script
// (cron) can act on it; 0 always means "every body and every event accounted for". When
// several apply, the one listed first in kPrecedence wins (interrupted runs, 128 + signal,
// win over all of them).
enum Exit : int {
  kOk = 0,                 // Every body converted (and delivered).
  kRejected = 1,           // Some bodies were rejected; each is kept (--reject file, or stderr).
  kUsage = 2,              // Bad arguments or configuration.
  kUndelivered = 3,        // send: some events ended in the dead-letter file.
  kUnrouted = 4,           // send: some events were routed to no channel (dead-lettered as such).
  kUnreadInput = 5,        // Some inputs could not be read, or were skipped (not accounted for).
  kRecordWriteFailed = 6,  // A reject or dead-letter record could not be written (on stderr).
  kOutputFailed = 7,       // Standard output could not be written.
  kStateFailed = 8,        // send: the open-alert state file could not be used.
};

// Most severe first: the exit status of a run is the first of these that happened.
inline constexpr Exit kPrecedence[] = {kOutputFailed, kRecordWriteFailed, kStateFailed, kUndelivered,
                                       kUnrouted,     kUnreadInput,       kRejected};

// What happened in a run; status() is the exit status it earns.
class Outcomes {
 public:
  void add(Exit e, bool happened = true) {
    if (happened) bits_ |= 1u << e;
  }
  bool has(Exit e) const { return (bits_ & (1u << e)) != 0; }
  int status() const {
    for (Exit e : kPrecedence) {
      if (has(e)) return e;
    }
    return kOk;
  }

 private:
  unsigned bits_ = 0;
};

struct ReadOptions {
  std::vector<std::string> paths;         // Files, directories, "-"; none means stdin (unless replay_paths).
  std::vector<std::string> replay_paths;  // --replay FILE: dead-letter files, read first.
  std::string vendor = "auto";            // auto | volcengine | alibaba
  std::string reject_path;                // --reject FILE
  size_t max_body = Framer::kDefaultMaxBody;
  bool all_files = false;            // --all-files: a directory walk reads every regular file.
  std::vector<std::string> include;  // --include GLOB: a directory walk also reads names matching these.
  bool remove_done = false;          // --remove-done (convert, send): remove the input files fully accounted for.
  uint64_t max_errors = UINT64_MAX;  // --max-errors: rejection lines printed at most; a count of the rest at the end.
  bool quiet = false;                // --quiet (convert, send): only the summary and fatal errors.
  unsigned jobs = 1;                 // --jobs: threads that detect and decode (default: the cores).
};

struct ConvertOptions {
  ReadOptions read;
  bool pretty = false;
  std::string routes_path;  // --routes FILE: add "channels" to every event.
};

int convert(const ConvertOptions& options);
int detect(const ReadOptions& options);
// cmrelay labels: every label key the events carry, with counts and example values (a
// table on a terminal, NDJSON otherwise).
int labels(const ReadOptions& options);

// cmrelay routes check FILE [--flashduty]: 0 clean (warnings aside), 1 findings, 2 unreadable.
// flashduty: also name every line Flashduty's route would not accept.
int routes_check(const std::string& file, bool flashduty = false);

struct RoutesTestOptions {
  std::string file;         // The route file.
  ReadOptions read;         // Payloads to route; none reads stdin.
  bool has_expect = false;  // --expect given (possibly empty: routed nowhere).
  std::string expect;       // ch1,ch2
  std::string cases_path;   // --cases TESTS.yaml
};

// cmrelay routes test: explains every event's route, or runs a batch of cases.
int routes_test(const RoutesTestOptions& options);

// The registrations of the command table (cli/command.h), each in its command's file.
Run add_convert(CLI::App& cmd);  // convert.cpp
Run add_detect(CLI::App& cmd);   // convert.cpp
Run add_labels(CLI::App& cmd);   // labels.cpp
Run add_routes(CLI::App& cmd);   // routes.cpp: routes check, routes test

}  // namespace cmrelay::cli
