// cmrelay: Volcengine and Alibaba Cloud Monitor webhooks -> Flashduty standard alert events.
// main() only parses arguments and hands them to a command.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/full.h"
#include "cli/read.h"
#include "net/commands/options.h"
#include "report/diag.h"
#include "text/duration.h"

namespace {

using namespace cmrelay;

constexpr const char* kExamples = R"(
Examples:
  cmrelay samples/volcengine/               convert every captured body under a directory
  cmrelay convert --pretty hook.json        one body, indented
  cmrelay serve --listen 0.0.0.0:8080 --spool /var/lib/cmrelay/spool --token-file tokens \
      --routes routes.yaml --dead-letter dead.ndjson      receive webhooks live (see README)
  cmrelay convert --reject bad.ndjson dir/  keep every body that could not be read
  cmrelay detect captures/                  which format each body is, and why
  cmrelay labels captures/                  the label keys route conditions can use, with examples
  cmrelay convert --routes routes.yaml dir/ add each event's channels
  cmrelay routes check routes.yaml          lint a route file
  cmrelay routes test routes.yaml hook.json --expect dba,ops
  cmrelay routes test routes.yaml --cases routes-tests.yaml
  cmrelay hook.json | head -1 | curl -sS -H 'Content-Type: application/json' \
      --data-binary @- -K flashduty.curl   (the file: url = "https://...?integration_key=...")
  cmrelay send --url-file flashduty.url --dead-letter dead.ndjson captures/
  cmrelay convert hook.json | cmrelay send --url-env FLASHDUTY_URL --dead-letter dead.ndjson
  cmrelay send --routes routes.yaml --dead-letter dead2.ndjson --replay dead.ndjson   replay undelivered events
  cmrelay alerts                            the open alerts send remembers (its state file)

Exit status (the first that applies, in this order): 130/143 interrupted (128 + signal),
7 standard output could not be written, 6 a reject or dead-letter record could not be
written (it is on stderr), 8 (send, alerts) the open-alert state could not be used,
3 (send) some events dead-lettered, 4 (send) some events routed to no channel
(dead-lettered as such), 5 some input could not be read or was skipped, 1 some bodies
rejected, 2 usage error; 0 every body and event accounted for.
serve: 0 after SIGTERM/SIGINT (what was not delivered stays in the spool), 2 cannot start.
routes check: 0 clean (warnings aside), 1 findings, 2 unreadable. routes test: 1 when a route
differs from what was expected (or a recovery misses a channel its alert reached).
DURATION (and AGE, and a route file's timeout and rate windows): a number and a unit, ms, s,
m or min, h, d (500ms, 5s, 1.5m, 1h, 30d); a bare number is seconds.
See cmrelay(1) for input forms, output fields and labels.
)";

// "512", "64k", "8m" (any case): the units documented, and no others (not "1g", not "8mb").
CLI::Validator size_units() {
  static const std::map<std::string, size_t> kUnits{{"k", size_t{1} << 10}, {"m", size_t{1} << 20}};
  return CLI::AsNumberWithUnit(kUnits,
                               static_cast<CLI::AsNumberWithUnit::Options>(CLI::AsNumberWithUnit::CASE_INSENSITIVE |
                                                                           CLI::AsNumberWithUnit::UNIT_OPTIONAL))
      .description("");
}

// Every command's name: a first argument that is none of these (nor an option) is a PATH.
constexpr const char* kCommands[] = {"convert", "detect", "labels", "routes", "send", "serve", "alerts"};

void add_read_options(CLI::App* cmd, cli::ReadOptions& o) {
  cmd->add_option("paths", o.paths, "Files, directories (walked recursively, sorted) or - for stdin; none reads stdin");
  cmd->add_option("--vendor", o.vendor, "auto, volcengine or alibaba: only that vendor's formats are tried")
      ->capture_default_str();
  cmd->add_option("--reject", o.reject_path, "Append every rejected body, with its reason, to FILE as NDJSON")
      ->type_name("FILE");
  cmd->add_option("--replay", o.replay_paths,
                  "Dead-letter FILE to replay, each record back to the channel it names (repeatable; read before "
                  "PATHs). Elsewhere a dead-letter record is rejected")
      ->type_name("FILE")
      ->allow_extra_args(false);
  cmd->add_option("--max-errors", o.max_errors, "Print at most N rejection lines; a count of the others at the end")
      ->type_name("N");
  cmd->add_option("--max-body", o.max_body,
                  "Largest body read, in bytes, 1k to 1024m (suffix k = 1024, m = 1024k); longer ones are rejected")
      ->transform(size_units())
      ->check(CLI::Range(size_t{1} << 10, size_t{1} << 30).description(""))
      ->type_name("SIZE")
      ->default_str("8m");
  // Default: every online core (at least 1). CLI11 rejects 0, junk and more than 256 (exit 2).
  o.jobs = std::clamp(std::thread::hardware_concurrency(), 1u, 256u);
  cmd->add_option("--jobs,-j", o.jobs,
                  "Threads that detect and decode a run's input larger than 1 MiB (files share chunks); output stays "
                  "in input order, as "
                  "with 1 (which starts no thread)")
      ->check(CLI::Range(1u, 256u).description(""))
      ->type_name("N")
      ->default_str("the number of cores");
  cmd->add_flag("--all-files", o.all_files,
                "A directory walk reads every regular file, whatever its name (hidden ones excepted)");
  cmd->add_option("--include", o.include,
                  "A directory walk also reads the files whose name matches GLOB (repeatable; 'hook-*')")
      ->type_name("GLOB")
      ->allow_extra_args(false);
}

void add_remove_done(CLI::App* cmd, cli::ReadOptions& o) {
  cmd->add_flag("--remove-done", o.remove_done,
                "Remove each input file once all of it is accounted for (converted, delivered, dead-lettered or "
                "in the --reject file); keep the rest, one line each");
}

// A duration option, in route files' grammar (text/duration.h): "5s", "500ms", "2m", "1h", "1d",
// or a bare number of seconds. Validated here so that a bad one is a usage error (exit 2)
// with the grammar's own message; the option then receives milliseconds.
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

void add_seconds(CLI::App* cmd, const std::string& name, std::chrono::milliseconds& target, const std::string& what) {
  double seconds = static_cast<double>(target.count()) / 1000;
  cmd->add_option_function<int64_t>(
         name, [&target](int64_t ms) { target = std::chrono::milliseconds(ms); }, what)
      ->transform(duration_ms())
      ->type_name("DURATION")
      ->default_str(CLI::detail::to_string(seconds) + "s");
}

void add_delivery_options(CLI::App* cmd, deliver::DeliveryOptions& d);
// An age option: a duration of at least a second ("30d", "12h", "90m"), counted in whole seconds.
void add_age(CLI::App* cmd, const std::string& name, std::chrono::seconds& target, const std::string& what) {
  cmd->add_option_function<int64_t>(
         name, [&target](int64_t ms) { target = std::chrono::seconds(ms / 1000); }, what)
      ->transform(duration_ms())
      ->check(CLI::Validator(
          [](std::string& v) { return std::stoll(v) < 1000 ? std::string("an age is at least 1s") : std::string(); },
          ""))
      ->type_name("AGE")
      ->default_str(std::to_string(target.count() / 86400) + "d");
}

// --shared and its kin: the Redis a fleet of hosts shares. fleet: with --fleet-size (the
// commands that deliver).
void add_shared_options(CLI::App* cmd, cli::SharedOptions& o, bool fleet, const std::string& what) {
  CLI::Option* url = cmd->add_option("--shared", o.url,
                                     what +
                                         " in the Redis a fleet of hosts shares; ps shows a password: prefer "
                                         "--shared-file or --shared-env")
                         ->type_name("redis://[USER:PASSWORD@]HOST[:PORT][/DB]");
  CLI::Option* file = cmd->add_option("--shared-file", o.file, "Like --shared, the URL read from FILE (its one line)")
                          ->type_name("FILE")
                          ->excludes(url);
  cmd->add_option("--shared-env", o.env, "Like --shared, the URL read from the environment variable NAME")
      ->type_name("NAME")
      ->excludes(url, file);
  if (!fleet) return;
  cmd->add_option("--fleet-size", o.fleet_size,
                  "With --shared (required): the hosts that share it; while Redis is away each keeps to 1/N of every "
                  "budget")
      ->type_name("N")
      ->check(CLI::Range(1, 10000).description(""));
}

void add_send_options(CLI::App* cmd, cli::SendOptions& o) {
  add_read_options(cmd, o.read);
  add_remove_done(cmd, o.read);
  CLI::Option* routes = cmd->add_option("--routes", o.routes_path,
                                        "Route file (YAML or JSON): POST each event to the channels it routes to")
                            ->type_name("FILE");
  CLI::Option* url = cmd->add_option("--url", o.url,
                                     "POST every event to URL (one ad-hoc channel named 'url'; http or https, port "
                                     "1-65535); ps shows it: prefer "
                                     "--url-file or --url-env when it holds a key")
                         ->type_name("URL")
                         ->excludes(routes);
  CLI::Option* url_file = cmd->add_option("--url-file", o.url_file, "Like --url, the URL read from FILE (its one line)")
                              ->type_name("FILE")
                              ->excludes(routes, url);
  cmd->add_option("--url-env", o.url_env, "Like --url, the URL read from the environment variable NAME")
      ->type_name("NAME")
      ->excludes(routes, url, url_file);
  cmd->add_option("--dead-letter", o.dead_letter_path,
                  "Append every undelivered event to FILE as an NDJSON record (default: stderr)")
      ->type_name("FILE");
  cmd->add_flag("--dry-run", o.dry_run, "Print each request (channel, redacted URL, body) instead of sending it");
  cmd->add_option("--stats", o.stats, "Summary: text on stderr, or json on stdout")->capture_default_str();
  cmd->add_option("--state", o.state,
                  "Open-alert state (SQLite): recoveries also go where their alert went; none turns it off")
      ->type_name("FILE|none")
      ->default_str("$XDG_STATE_HOME/cmrelay/state.db, else ~/.local/state/cmrelay/state.db");
  add_age(cmd, "--state-max-age", o.state_max_age, "Forget an open alert not seen for this long");
  add_shared_options(cmd, o.shared, true, "Budgets and the open-alert state kept");
  cmd->add_option("--rate", o.rate,
                  "With --url: pace requests, e.g. 100/s,1000/m (all windows apply), or none (default: Flashduty's "
                  "100/s,1000/m for a Flashduty push URL, none otherwise)")
      ->type_name("N/UNIT,...");
  CLI::Option* verbose = cmd->add_flag("-v,--verbose", o.verbose,
                                       "One line per attempt on stderr (status, request_id, the wait and why); -vv "
                                       "also each wait for the rate limit or a pause");
  cmd->add_flag("--quiet,-q", o.read.quiet, "Only the summary and fatal errors on stderr")->excludes(verbose);
  cmd->add_option("--log-format", o.log_format, "text, or json: the -v and dead-letter lines as JSON objects")
      ->capture_default_str();
  add_delivery_options(cmd, o.delivery);
}

// The delivery engine's options, shared by send and serve.
void add_delivery_options(CLI::App* cmd, deliver::DeliveryOptions& d) {
  cmd->add_option("--concurrency", d.concurrency, "Requests in flight at most, 1 to 1024")
      ->check(CLI::Range(1, 1024).description(""))
      ->capture_default_str();
  add_seconds(cmd, "--connect-timeout", d.connect_timeout, "Connect timeout (TCP and TLS)");
  add_seconds(cmd, "--timeout", d.timeout, "Timeout of one attempt (a route file channel's timeout wins)");
  cmd->add_option("--cacert", d.cacert,
                  "Verify servers with the CA certificates in FILE (PEM; one certificate at least)")
      ->type_name("FILE");
  add_seconds(cmd, "--backoff-base", d.backoff_base, "First retry waits up to this (full jitter, doubling)");
  add_seconds(cmd, "--backoff-cap", d.backoff_cap, "Longest backoff between attempts");
  cmd->add_option("--max-attempts", d.max_attempts, "Attempts per event and channel, the first included")
      ->capture_default_str();
  add_seconds(cmd, "--max-elapsed", d.max_elapsed, "Give up on an event this long after its first attempt");
  add_seconds(cmd, "--max-retry-after", d.max_retry_after, "A longer Retry-After dead-letters the event at once");
}

void add_serve_options(CLI::App* cmd, cli::ServeOptions& o) {
  serve::ListenOptions& l = o.listen;
  cmd->add_option("--listen", l.listen, "ADDR:PORT to listen on ([V6ADDR]:PORT; port 0 picks a free one)")
      ->capture_default_str();
  cmd->add_option("--spool", o.spool, "Directory of received requests, each stored (fsynced) before the 2xx")
      ->type_name("DIR")
      ->required();
  cmd->add_option("--rejected", o.rejected,
                  "Where undecodable requests go, with NAME.reason (default: rejected/ beside the spool)")
      ->type_name("DIR");
  CLI::Option* routes = cmd->add_option("--routes", o.routes_path,
                                        "Route file: POST each event to the channels it routes to (SIGHUP reloads it)")
                            ->type_name("FILE");
  cmd->add_option("--url", o.url, "POST every event to URL (one ad-hoc channel named 'url')")
      ->type_name("URL")
      ->excludes(routes);
  cmd->add_option("--dead-letter", o.dead_letter_path, "Append every undelivered event to FILE (default: stderr)")
      ->type_name("FILE");
  cmd->add_option("--token-file", o.token_file, "Accepted tokens, one per line (or CMRELAY_TOKEN in the environment)")
      ->type_name("FILE");
  cmd->add_option("--token-header", l.token_headers, "Another request header that may carry the token (repeatable)")
      ->type_name("NAME");
  cmd->add_flag("--no-auth", l.no_auth, "Accept requests without a token (loopback set-ups only)");
  cmd->add_option("--allow", o.allow, "Accept clients from this address range only (repeatable)")->type_name("CIDR");
  cmd->add_option("--tls-cert", l.tls_cert, "Serve HTTPS with this PEM certificate (chain)")->type_name("FILE");
  cmd->add_option("--tls-key", l.tls_key, "The PEM private key of --tls-cert")->type_name("FILE");
  cmd->add_option("--vendor", o.vendor, "auto, volcengine or alibaba: only that vendor's formats are tried")
      ->capture_default_str();
  cmd->add_option("--max-body", l.max_body, "Largest request body, in bytes (suffixes k, m); larger gets 413")
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE")
      ->default_str("1m");
  cmd->add_option("--max-connections", l.max_connections, "Connections open at most")->capture_default_str();
  cmd->add_option("--max-connections-per-ip", l.max_per_ip, "Connections open at most from one address")
      ->capture_default_str();
  add_seconds(cmd, "--idle-timeout", l.idle_timeout, "Close a connection silent this long (headers, body, keep-alive)");
  add_seconds(cmd, "--request-timeout", l.request_timeout,
              "Drop a request not read in full this long after its first line");
  cmd->add_option("--threads", l.threads, "Threads storing requests (write and fsync in parallel)")
      ->capture_default_str();
  cmd->add_option("--spool-max-files", o.spool_max_files, "Requests waiting at most; more get 503 with Retry-After")
      ->capture_default_str();
  cmd->add_option("--spool-max-bytes", o.spool_max_bytes, "Bytes waiting at most (suffixes k, m, g); more get 503")
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE")
      ->default_str("1g");
  add_seconds(cmd, "--retry-after", l.retry_after, "Retry-After sent with 503");
  add_seconds(cmd, "--dedup-window", o.dedup_window,
              "A vendor retry of a delivery taken this recently is delivered once");
  add_seconds(cmd, "--drain-timeout", o.drain_timeout, "On SIGTERM: time for requests and deliveries in flight");
  cmd->add_option("--log-format", o.log_format, "Log lines on stderr: text or json")->capture_default_str();
  cmd->add_option("--rate", o.rate, "With --url: pace requests as send --rate does, e.g. 100/s,1000/m, or none")
      ->type_name("N/UNIT,...");
  cmd->add_option("--state", o.state,
                  "With --routes: open-alert state (SQLite) as send's; recoveries also go where their alert went; none "
                  "turns it off (one that cannot be opened: said once, routes alone decide)")
      ->type_name("FILE|none")
      ->default_str("$XDG_STATE_HOME/cmrelay/state.db, else ~/.local/state/cmrelay/state.db");
  add_age(cmd, "--state-max-age", o.state_max_age, "With --routes: forget an open alert not seen for this long");
  add_shared_options(cmd, o.shared, true, "Budgets, the open-alert state and vendor retries kept");
  add_delivery_options(cmd, o.delivery);
}

// `cmrelay PATH...` means `cmrelay convert PATH...`.
std::vector<std::string> with_default_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static const char* kFlags[] = {"-h", "--help", "--version", "-V"};
  bool insert = true;
  if (!args.empty()) {
    for (const char* k : kCommands) insert &= args[0] != k;
    for (const char* k : kFlags) insert &= args[0] != k;
  }
  if (insert) args.insert(args.begin(), "convert");
  return args;
}

// `cmrelay route check f`: a first argument that is a bare word, not a command and not an
// existing file, is a mistyped command. Read as an input it would print the file it names
// next, line by line, as rejected bodies. Returns the usage error, or "" when there is none.
std::string mistyped_command(const std::vector<std::string>& args) {
  if (args.empty()) return "";
  const std::string& word = args[0];
  for (const char* k : kCommands) {
    if (word == k) return "";
  }
  const bool bare = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
  struct stat st {};
  if (!bare || word[0] == '-' || ::stat(word.c_str(), &st) == 0) return "";
  std::string why = "'" + word + "' is neither a command (";
  for (const char* k : kCommands) why.append(k).append(k == kCommands[std::size(kCommands) - 1] ? "" : ", ");
  why += ") nor a file";
  for (const char* k : kCommands) {
    const std::string_view c(k);
    if (c.starts_with(word) || std::string_view(word).starts_with(c)) return why + "; did you mean '" + k + "'?";
  }
  return why;
}

// --help and --version print through std::cout (CLI11): their output must reach its reader
// too, or the status says it did not (exit 7, as for every command's output).
int printed(int status) {
  std::cout.flush();
  if (!std::cout || !cmrelay::cli::flush_stdout()) return cmrelay::cli::kOutputFailed;
  return status;
}

}  // namespace

// A process started with stdin, stdout or stderr closed would hand those numbers to the
// first files it opens (a dead-letter file on fd 0, say), and then read or write them by
// mistake. Fill the gaps with /dev/null first.
static void open_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
  }
}

int main(int argc, char** argv) {
  open_standard_fds();
#if !CMRELAY_FULL
  // Delivering commands run in cmrelay-full, so that the others never load libcurl (full.h).
  if (argc > 1 && cli::needs_full(argv[1])) return cli::exec_full(argv, CMRELAY_FULL_RELPATH);
#endif
  CLI::App app{
      "cmrelay: turns Volcengine and Alibaba Cloud Monitor webhook bodies into Flashduty standard alert events",
      "cmrelay"};
  app.set_version_flag("--version,-V", std::string("cmrelay ") + CMRELAY_VERSION);
  app.footer(kExamples);
  app.require_subcommand(1);

  cli::ConvertOptions convert;
  CLI::App* c =
      app.add_subcommand("convert",
                         "Print one Flashduty standard event per line (the default command; a first word that "
                         "is neither a command nor a file is a usage error)");
  add_read_options(c, convert.read);
  add_remove_done(c, convert.read);
  c->add_flag("--pretty", convert.pretty, "Indent the events (for reading; not NDJSON)");
  c->add_flag("--quiet,-q", convert.read.quiet,
              "No rejection lines or warnings on stderr; only the summary and fatal errors");
  c->add_option("--routes", convert.routes_path, "Route file (YAML or JSON): add each event's \"channels\"")
      ->type_name("FILE");

  cli::ReadOptions detect;
  CLI::App* d = app.add_subcommand("detect", "Print each body's format id and the keys that decided it");
  add_read_options(d, detect);

  cli::ReadOptions labels;
  CLI::App* l = app.add_subcommand(
      "labels", "List the label keys the events carry, with counts and example values (for writing route files)");
  add_read_options(l, labels);

  CLI::App* r = app.add_subcommand("routes", "Check a route file, or show where events route");
  r->require_subcommand(1);
  std::string check_file;
  CLI::App* rc = r->add_subcommand("check", "Report every problem of a route file, one FILE:LINE: line each");
  rc->add_option("file", check_file, "The route file (YAML or JSON)")->required();
  bool check_flashduty = false;
  rc->add_flag("--flashduty", check_flashduty,
               "Also warn about every line Flashduty's route would not accept (cmrelay's extensions)");
  cli::RoutesTestOptions routes_test;
  CLI::App* rt = r->add_subcommand("test", "Explain each event's route (cases, verdicts, channels), or run --cases");
  rt->add_option("file", routes_test.file, "The route file (YAML or JSON)")->required();
  add_read_options(rt, routes_test.read);
  CLI::Option* expect = rt->add_option("--expect", routes_test.expect,
                                       "Comma-separated channels every event must reach (any order); exit 1 otherwise, "
                                       "or when no event was read")
                            ->type_name("CH,...");
  rt->add_option("--cases", routes_test.cases_path, "Batch of named cases with expected channels")
      ->type_name("TESTS.yaml");

  cli::SendOptions send;
  CLI::App* s = app.add_subcommand(
      "send", "Convert, then POST each event to its channels (--routes) or --url, retrying and dead-lettering");
  add_send_options(s, send);

  cli::ServeOptions serve;
  CLI::App* sv = app.add_subcommand(
      "serve", "Receive webhooks over HTTP, store each durably before the 2xx, and deliver it like send");
  add_serve_options(sv, serve);
  cli::AlertsOptions alerts;
  CLI::App* a = app.add_subcommand(
      "alerts", "List the open alerts send's state remembers (a table on a terminal, else NDJSON), or forget some");
  a->add_option("--state", alerts.state, "The state file")
      ->type_name("FILE")
      ->default_str("$XDG_STATE_HOME/cmrelay/state.db, else ~/.local/state/cmrelay/state.db");
  a->add_option("--forget", alerts.forget, "Forget the open alert with this alert_key (repeatable)")->type_name("KEY");
  a->add_flag("--forget-all", alerts.forget_all, "Forget every open alert");
  add_shared_options(a, alerts.shared, false, "The fleet's open alerts, kept");
  a->add_option("--format", alerts.format, "auto (a table on a terminal, else NDJSON), table or ndjson")
      ->capture_default_str();

  const std::string mistyped = mistyped_command(std::vector<std::string>(argv + 1, argv + argc));
  if (!mistyped.empty()) {
    cmrelay::diag::say("%s", mistyped.c_str());
    return cli::kUsage;
  }
  std::vector<std::string> args = with_default_command(argc, argv);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last-first.
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return printed(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return printed(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return printed(app.exit(e));
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::kUsage;
  }
  if (c->parsed()) return cli::convert(convert);
  if (d->parsed()) return cli::detect(detect);
  if (l->parsed()) return cli::labels(labels);
  if (rc->parsed()) return cli::routes_check(check_file, check_flashduty);
  if (rt->parsed()) {
    routes_test.has_expect = expect->count() > 0;
    return cli::routes_test(routes_test);
  }
#if CMRELAY_FULL
  if (s->parsed()) return cli::send(send);
  if (sv->parsed()) return cli::serve(serve);
  if (a->parsed()) return cli::alerts(alerts);
#endif
  return cli::kUsage;
}
