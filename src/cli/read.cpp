#include "cli/read.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "input/sources.h"
#include "output/ndjson.h"
#include "report/diag.h"
#include "text/escape.h"
#include "vendors/flashduty.h"

namespace cmrelay::cli {
namespace {

// Whether target is among the files the PATHs or the --replay files expand to.
bool is_input(const struct stat& target, const ReadOptions& options) {
  for (const auto* paths : {&options.paths, &options.replay_paths}) {
    for (const std::string& input : expand_inputs(*paths, {options.all_files, options.include}).files) {
      struct stat st {};
      int rc = input == "-" ? ::fstat(STDIN_FILENO, &st) : ::stat(input.c_str(), &st);
      if (rc == 0 && st.st_dev == target.st_dev && st.st_ino == target.st_ino) return true;
    }
  }
  return false;
}

}  // namespace

bool is_an_input(int fd, const ReadOptions& options) {
  struct stat target {};
  // Only a regular file can be read back: a terminal or pipe on both ends is no loop.
  return ::fstat(fd, &target) == 0 && S_ISREG(target.st_mode) && is_input(target, options);
}

bool is_an_input(const std::string& path, const ReadOptions& options) {
  struct stat target {};
  return !path.empty() && ::stat(path.c_str(), &target) == 0 && S_ISREG(target.st_mode) && is_input(target, options);
}

std::unique_ptr<Pipeline> make_pipeline(const ReadOptions& options, bool decode, const SeverityTable* severity) {
  PipelineOptions po;
  if (severity != nullptr) po.severity = *severity;
  if (options.vendor != "auto") {
    po.vendor = parse_alert_vendor(options.vendor);
    if (!po.vendor) {
      diag::say("--vendor must be auto or one of %s, not '%s'", vendor_names().c_str(), options.vendor.c_str());
      return nullptr;
    }
  }
  po.max_body = options.max_body;
  po.walk = {options.all_files, options.include};
  po.reject_path = options.reject_path;
  po.decode = decode;
  po.max_errors = options.max_errors;
  po.quiet = options.quiet;
  po.jobs = options.jobs;
  auto p = std::make_unique<Pipeline>(std::move(po));
  const bool reject_existed = !options.reject_path.empty() && ::access(options.reject_path.c_str(), F_OK) == 0;
  std::string error;
  if (!p->open(error)) {
    diag::say("%s", error.c_str());
    return nullptr;
  }
  // Checked once the reject file exists, against every file the inputs expand to.
  if (p->reject_fd() >= 0 && is_an_input(p->reject_fd(), options)) {
    diag::say(
        "--reject %s is also an input: the run would read its own new records without end "
        "(keep it outside the input paths)",
        options.reject_path.c_str());
    if (!reject_existed) ::unlink(options.reject_path.c_str());  // Leave no empty file among the inputs.
    return nullptr;
  }
  if (is_an_input(STDOUT_FILENO, options)) {
    diag::say(
        "standard output is also an input: the run would read its own output without end "
        "(write it outside the input paths)");
    return nullptr;
  }
  bool reads_stdin = options.paths.empty() && options.replay_paths.empty();
  for (const std::string& path : options.paths) reads_stdin |= path == "-";
  if (reads_stdin && ::isatty(STDIN_FILENO)) {
    diag::say("reading bodies from standard input (end with Ctrl-D; --help for usage)");
  }
  return p;
}

std::optional<RouteTable> load_routes(const std::string& path, bool without_secrets) {
  try {
    if (!without_secrets) return RouteTable::load(path);
    std::vector<std::string> unset;
    RouteTable table = RouteTable::load_without_secrets(path, unset);
    for (const std::string& name : unset) {
      diag::say("%s: ${%s} is not set: shown as <unset:%s> here (send refuses it)", path.c_str(), name.c_str(),
                name.c_str());
    }
    return table;
  } catch (const RouteError& e) {
    std::string_view all(e.what());
    while (!all.empty()) {
      const size_t nl = std::min(all.find('\n'), all.size());
      diag::say("%.*s", static_cast<int>(nl), all.data());
      all.remove_prefix(std::min(nl + 1, all.size()));
    }
    return std::nullopt;
  }
}

void read_inputs(Pipeline& pipeline, const ReadOptions& options, const Pipeline::OnBody& on_body,
                 const std::atomic<bool>* stop) {
  if (!options.replay_paths.empty()) {
    pipeline.run(options.replay_paths, on_body, stop, true);
    if (options.paths.empty()) return;  // Standard input only when asked for ("-").
  }
  pipeline.run(options.paths, on_body, stop, false);
}

void pick_channels(const RouteTable& routes, const Detection& d, const Record& rec, const Event& e,
                   std::vector<const Channel*>& out, std::string* replayed) {
  out.clear();
  if (replayed != nullptr) replayed->clear();
  if (d.format == &flashduty::kDeadLetterFormat) {  // Only ever from --replay (the pipeline says so).
    std::string name = flashduty::dead_letter_channel(rec.body);
    for (const Channel& c : routes.channels()) {
      if (c.name != name) continue;
      out.push_back(&c);
      if (replayed != nullptr) *replayed = name;
      return;
    }
  }
  routes.route(e, out);
}

void say_unsaid(const PipelineCounts& c) {
  if (c.unsaid == 0) return;
  diag::say("%llu rejection line%s not shown (--quiet or --max-errors)", static_cast<unsigned long long>(c.unsaid),
            c.unsaid == 1 ? "" : "s");
}

void finish(const Pipeline& p, Outcomes& outcomes) {
  const PipelineCounts& c = p.counts();
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  if (c.rejected > 0) diag::say("%llu of %llu bodies rejected", u(c.rejected), u(c.bodies));
  if (c.unreadable > 0) diag::say("%llu input(s) could not be read", u(c.unreadable));
  if (c.skipped > 0) diag::say("%llu file(s) skipped", u(c.skipped));
  if (c.reject_failed > 0) {
    diag::say("%llu reject record(s) could not be written to the reject file", u(c.reject_failed));
  }
  say_unsaid(c);
  add_read_outcomes(c, outcomes);
}

void add_read_outcomes(const PipelineCounts& c, Outcomes& outcomes) {
  outcomes.add(kRejected, c.rejected > 0);
  outcomes.add(kUnreadInput, c.unreadable > 0 || c.skipped > 0);
  outcomes.add(kRecordWriteFailed, c.reject_failed > 0);
}

bool flush_stdout() {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return true;
  diag::say("writing standard output: %s", std::strerror(errno != 0 ? errno : EIO));
  return false;
}

bool flush_output(NdjsonWriter& out) {
  const bool flushed = out.flush();
  return flush_stdout() && flushed;
}

void remove_done(const Pipeline& p, const std::string& refused) {
  for (const std::string& line : p.incomplete_inputs()) diag::say("%s", line.c_str());
  if (!refused.empty()) {
    diag::say("--remove-done: no input removed: %s", refused.c_str());
    return;
  }
  std::vector<std::pair<uint64_t, uint64_t>> removed;  // A file named twice is removed once.
  for (const ReadInput& in : p.complete_inputs()) {
    if (std::find(removed.begin(), removed.end(), std::make_pair(in.dev, in.ino)) != removed.end()) continue;
    struct stat st {};
    if (::stat(in.path.c_str(), &st) != 0 || static_cast<uint64_t>(st.st_dev) != in.dev ||
        static_cast<uint64_t>(st.st_ino) != in.ino || static_cast<uint64_t>(st.st_size) != in.bytes) {
      diag::say("%s: kept: it changed (or was replaced) while it was read", text::escape(in.path).c_str());
    } else if (::unlink(in.path.c_str()) != 0) {
      diag::say("%s: kept: cannot remove it: %s", text::escape(in.path).c_str(), std::strerror(errno));
    } else {
      removed.emplace_back(in.dev, in.ino);
    }
  }
}

}  // namespace cmrelay::cli
