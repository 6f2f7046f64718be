#include "cli/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>
#include <thread>

#include "text/duration.h"
#include "text/size.h"
#include "vendors/severity.h"

namespace cmrelay::cli {

std::string vendor_help() { return "auto, or one of " + vendor_names() + ": only that vendor's formats are tried"; }

namespace {

// Validated here so that a bad duration is a usage error (exit 2) with the grammar's own
// message; the option then receives milliseconds.
CLI::Validator duration_ms() {
  return CLI::Validator(
      [](std::string& v) {
        std::string why;
        std::optional<std::chrono::milliseconds> d = text::parse_duration(v, why);
        if (d) v = std::to_string(d->count());
        return d ? std::string() : why;
      },
      "");
}

}  // namespace

void add_read_options(CLI::App& cmd, ReadOptions& o) {
  cmd.add_option("paths", o.paths, "Files, directories (walked recursively, sorted) or - for stdin; none reads stdin");
  cmd.add_option("--vendor", o.vendor, vendor_help())->capture_default_str();
  cmd.add_option("--reject", o.reject_path, "Append every rejected body, with its reason, to FILE as NDJSON")
      ->type_name("FILE");
  cmd.add_option("--replay", o.replay_paths,
                 "Dead-letter FILE to replay, each record back to the channel it names (repeatable; read before "
                 "PATHs). Elsewhere a dead-letter record is rejected")
      ->type_name("FILE")
      ->allow_extra_args(false);
  cmd.add_option("--max-errors", o.max_errors, "Print at most N rejection lines; a count of the others at the end")
      ->type_name("N");
  add_size(
      cmd, "--max-body", [&o](uint64_t n) { o.max_body = static_cast<size_t>(n); },
      "Largest body read, a SIZE from 1k to 1g; longer ones are rejected", kMinMaxBody, kMaxMaxBody,
      text::format_size(o.max_body));
  // Default: every online core (at least 1). CLI11 rejects 0, junk and more than 256 (exit 2).
  o.jobs = std::clamp(std::thread::hardware_concurrency(), 1u, 256u);
  cmd.add_option("--jobs,-j", o.jobs,
                 "Threads that detect and decode a run's input larger than 1 MiB (files share chunks); output stays "
                 "in input order, as "
                 "with 1 (which starts no thread)")
      ->check(CLI::Range(1u, 256u).description(""))
      ->type_name("N")
      ->default_str("the number of cores");
  cmd.add_flag("--all-files", o.all_files,
               "A directory walk reads every regular file, whatever its name (hidden ones excepted)");
  cmd.add_option("--include", o.include,
                 "A directory walk also reads the files whose name matches GLOB (repeatable; 'hook-*')")
      ->type_name("GLOB")
      ->allow_extra_args(false);
}

void add_remove_done(CLI::App& cmd, ReadOptions& o) {
  cmd.add_flag("--remove-done", o.remove_done,
               "Remove each input file once all of it is accounted for (converted, delivered, dead-lettered or "
               "in the --reject file); keep the rest, one line each");
}

void add_seconds(CLI::App& cmd, const std::string& name, std::chrono::milliseconds& target, const std::string& what) {
  double seconds = static_cast<double>(target.count()) / 1000;
  cmd.add_option_function<int64_t>(
         name, [&target](int64_t ms) { target = std::chrono::milliseconds(ms); }, what)
      ->transform(duration_ms())
      ->type_name("DURATION")
      ->default_str(CLI::detail::to_string(seconds) + "s");
}

void add_age(CLI::App& cmd, const std::string& name, std::chrono::seconds& target, const std::string& what) {
  cmd.add_option_function<int64_t>(
         name, [&target](int64_t ms) { target = std::chrono::seconds(ms / 1000); }, what)
      ->transform(duration_ms())
      ->check(CLI::Validator(
          [](std::string& v) { return std::stoll(v) < 1000 ? std::string("an age is at least 1s") : std::string(); },
          ""))
      ->type_name("AGE")
      ->default_str(std::to_string(target.count() / 86400) + "d");
}

CLI::Option* add_size(CLI::App& cmd, const std::string& name, const std::function<void(uint64_t)>& set,
                      const std::string& what, uint64_t min, uint64_t max, const std::string& shown_default) {
  return cmd.add_option_function<uint64_t>(name, set, what)
      ->transform(CLI::Validator(
          [min, max](std::string& v) {
            std::string why;
            std::optional<uint64_t> n = text::parse_size(v, why, min, max);
            if (n) v = std::to_string(*n);
            return n ? std::string() : why;
          },
          ""))
      ->type_name("SIZE")
      ->default_str(shown_default);
}

}  // namespace cmrelay::cli
