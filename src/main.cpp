// cmrelay: Volcengine and Alibaba Cloud Monitor webhooks -> Flashduty standard alert events.
// main() only parses arguments and hands them to a command.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

using namespace cmrelay;

constexpr const char* kExamples = R"(
Examples:
  cmrelay samples/                          convert every captured body under samples/
  cmrelay convert --pretty hook.json        one body, indented
  nc -l 8080 | cmrelay -                    convert a webhook captured with netcat
  cmrelay convert --reject bad.ndjson dir/  keep every body that could not be read
  cmrelay detect captures/                  which format each body is, and why
  cmrelay convert --routes routes.yaml dir/ add each event's channels
  cmrelay routes check routes.yaml          lint a route file
  cmrelay routes test routes.yaml hook.json --expect dba,ops
  cmrelay routes test routes.yaml --cases routes-tests.yaml
  cmrelay hook.json | head -1 | curl -sS -H 'Content-Type: application/json' \
      --data-binary @- "https://api.flashcat.cloud/event/push/alert/standard?integration_key=$KEY"
  cmrelay convert hook.json | cmrelay send --url "$FLASHDUTY_URL" --dead-letter dead.ndjson
  cmrelay send --routes routes.yaml --dead-letter dead2.ndjson dead.ndjson   replay undelivered events
  cmrelay alerts                            the open alerts send remembers (its state file)

Exit status: 0 every body converted (and delivered), 1 some input rejected, 2 usage error,
3 (send) some events dead-lettered, 8 (send, alerts) the state file could not be used (every
event still delivered or dead-lettered).
routes check: 0 clean (warnings aside), 1 findings, 2 unreadable. routes test: 1 when a route
differs from what was expected (or a recovery misses a channel its alert reached).
See cmrelay(1) for input forms, output fields and labels.
)";

void add_read_options(CLI::App* cmd, cli::ReadOptions& o) {
  cmd->add_option("paths", o.paths, "Files, directories (walked recursively, sorted) or - for stdin; none reads stdin");
  cmd->add_option("--vendor", o.vendor, "auto, volcengine or alibaba: only that vendor's formats are tried")
      ->capture_default_str();
  cmd->add_option("--reject", o.reject_path, "Append every rejected body, with its reason, to FILE as NDJSON")
      ->type_name("FILE");
  cmd->add_option("--max-body", o.max_body, "Largest body read, in bytes (suffixes k, m); longer ones are rejected")
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE")
      ->default_str("8m");
}

// A duration option: "5s", "500ms", "2m", "1h", or a bare number of seconds, as in route files.
void add_seconds(CLI::App* cmd, const std::string& name, std::chrono::milliseconds& target, const std::string& what) {
  static const std::map<std::string, double> kUnits{{"ms", 0.001}, {"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}};
  double seconds = static_cast<double>(target.count()) / 1000;
  cmd->add_option_function<double>(
         name, [&target](double s) { target = std::chrono::milliseconds(std::llround(s * 1000)); }, what)
      ->transform(CLI::AsNumberWithUnit(kUnits,
                                        static_cast<CLI::AsNumberWithUnit::Options>(
                                            CLI::AsNumberWithUnit::CASE_INSENSITIVE | CLI::AsNumberWithUnit::UNIT_OPTIONAL))
                      .description(""))
      ->check(CLI::Validator(
          [](std::string& v) { return std::stod(v) < 0 ? std::string("a duration cannot be negative") : std::string(); },
          ""))
      ->type_name("DURATION")
      ->default_str(CLI::detail::to_string(seconds) + "s");
}

// An age option: "30d", "12h", "90m", "3600s", or a bare number of seconds.
void add_age(CLI::App* cmd, const std::string& name, std::chrono::seconds& target, const std::string& what) {
  static const std::map<std::string, int64_t> kUnits{{"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}, {"d", 86400}};
  cmd->add_option_function<int64_t>(name, [&target](int64_t s) { target = std::chrono::seconds(s); }, what)
      ->transform(CLI::AsNumberWithUnit(kUnits,
                                        static_cast<CLI::AsNumberWithUnit::Options>(
                                            CLI::AsNumberWithUnit::CASE_INSENSITIVE | CLI::AsNumberWithUnit::UNIT_OPTIONAL))
                      .description(""))
      ->check(CLI::PositiveNumber.description(""))
      ->type_name("AGE")
      ->default_str(std::to_string(target.count() / 86400) + "d");
}

void add_send_options(CLI::App* cmd, cli::SendOptions& o) {
  add_read_options(cmd, o.read);
  CLI::Option* routes = cmd->add_option("--routes", o.routes_path,
                                        "Route file (YAML or JSON): POST each event to the channels it routes to")
                            ->type_name("FILE");
  cmd->add_option("--url", o.url, "POST every event to URL (one ad-hoc channel named 'url')")
      ->type_name("URL")
      ->excludes(routes);
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
  deliver::DeliveryOptions& d = o.delivery;
  cmd->add_option("--concurrency", d.concurrency, "Requests in flight at most")->capture_default_str();
  add_seconds(cmd, "--connect-timeout", d.connect_timeout, "Connect timeout (TCP and TLS)");
  add_seconds(cmd, "--timeout", d.timeout, "Timeout of one attempt (a route file channel's timeout wins)");
  cmd->add_option("--cacert", d.cacert, "Verify servers with the CA certificates in FILE (PEM)")->type_name("FILE");
  add_seconds(cmd, "--backoff-base", d.backoff_base, "First retry waits up to this (full jitter, doubling)");
  add_seconds(cmd, "--backoff-cap", d.backoff_cap, "Longest backoff between attempts");
  cmd->add_option("--max-attempts", d.max_attempts, "Attempts per event and channel, the first included")
      ->capture_default_str();
  add_seconds(cmd, "--max-elapsed", d.max_elapsed, "Give up on an event this long after its first attempt");
  add_seconds(cmd, "--max-retry-after", d.max_retry_after, "A longer Retry-After dead-letters the event at once");
}

// `cmrelay PATH...` means `cmrelay convert PATH...`.
std::vector<std::string> with_default_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static const char* kNotConvert[] = {"convert", "detect", "routes", "send", "alerts", "-h", "--help", "--version", "-V"};
  bool insert = true;
  if (!args.empty()) {
    for (const char* k : kNotConvert) insert &= args[0] != k;
  }
  if (insert) args.insert(args.begin(), "convert");
  return args;
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
  CLI::App app{"cmrelay: turns Volcengine and Alibaba Cloud Monitor webhook bodies into Flashduty standard alert events",
               "cmrelay"};
  app.set_version_flag("--version,-V", std::string("cmrelay ") + CMRELAY_VERSION);
  app.footer(kExamples);
  app.require_subcommand(1);

  cli::ConvertOptions convert;
  CLI::App* c = app.add_subcommand("convert", "Print one Flashduty standard event per line (the default command)");
  add_read_options(c, convert.read);
  c->add_flag("--pretty", convert.pretty, "Indent the events (for reading; not NDJSON)");
  c->add_option("--routes", convert.routes_path, "Route file (YAML or JSON): add each event's \"channels\"")
      ->type_name("FILE");

  cli::ReadOptions detect;
  CLI::App* d = app.add_subcommand("detect", "Print each body's format id and the keys that decided it");
  add_read_options(d, detect);

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
                                       "Comma-separated channels every event must reach (any order); exit 1 otherwise")
                            ->type_name("CH,...");
  rt->add_option("--cases", routes_test.cases_path, "Batch of named cases with expected channels")->type_name("TESTS.yaml");

  cli::SendOptions send;
  CLI::App* s = app.add_subcommand("send", "Convert, then POST each event to its channels (--routes) or --url, retrying and dead-lettering");
  add_send_options(s, send);

  cli::AlertsOptions alerts;
  CLI::App* a = app.add_subcommand("alerts", "List the open alerts send's state remembers (a table on a terminal, else NDJSON), or forget some");
  a->add_option("--state", alerts.state, "The state file")
      ->type_name("FILE")
      ->default_str("$XDG_STATE_HOME/cmrelay/state.db, else ~/.local/state/cmrelay/state.db");
  a->add_option("--forget", alerts.forget, "Forget the open alert with this alert_key (repeatable)")->type_name("KEY");
  a->add_flag("--forget-all", alerts.forget_all, "Forget every open alert");
  a->add_option("--format", alerts.format, "auto (a table on a terminal, else NDJSON), table or ndjson")
      ->capture_default_str();

  std::vector<std::string> args = with_default_command(argc, argv);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last-first.
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::kUsage;
  }
  if (c->parsed()) return cli::convert(convert);
  if (d->parsed()) return cli::detect(detect);
  if (rc->parsed()) return cli::routes_check(check_file, check_flashduty);
  if (rt->parsed()) {
    routes_test.has_expect = expect->count() > 0;
    return cli::routes_test(routes_test);
  }
  if (s->parsed()) return cli::send(send);
  if (a->parsed()) return cli::alerts(alerts);
  return cli::kUsage;
}
