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
  cmrelay labels captures/                  the label keys route conditions can use, with examples
  cmrelay convert --routes routes.yaml dir/ add each event's channels
  cmrelay routes check routes.yaml          lint a route file
  cmrelay routes test routes.yaml hook.json --expect dba,ops
  cmrelay routes test routes.yaml --cases routes-tests.yaml
  cmrelay hook.json | head -1 | curl -sS -H 'Content-Type: application/json' \
      --data-binary @- "https://api.flashcat.cloud/event/push/alert/standard?integration_key=$KEY"
  cmrelay convert hook.json | cmrelay send --url "$FLASHDUTY_URL" --dead-letter dead.ndjson
  cmrelay send --routes routes.yaml --dead-letter dead2.ndjson dead.ndjson   replay undelivered events

Exit status: 0 every body converted (and delivered), 1 some input rejected, 2 usage error,
3 (send) some events dead-lettered.
routes check: 0 clean, 1 findings, 2 unreadable. routes test: 1 when a route differs from
what was expected.
See cmrelay(1) for input forms, output fields and labels.
)";

void add_read_options(CLI::App* cmd, cli::ReadOptions& o) {
  cmd->add_option("paths", o.paths, "Files, directories (walked recursively, sorted) or - for stdin; none reads stdin");
  cmd->add_option("--vendor", o.vendor, "auto, volcengine or alibaba: only that vendor's formats are tried")
      ->capture_default_str();
  cmd->add_option("--reject", o.reject_path, "Append every rejected body, with its reason, to FILE as NDJSON")
      ->type_name("FILE");
  cmd->add_option("--max-errors", o.max_errors, "Print at most N rejection lines; a count of the others at the end")
      ->type_name("N");
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
  static const char* kNotConvert[] = {"convert", "detect", "labels", "routes", "send", "-h", "--help", "--version", "-V"};
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
  c->add_flag("--quiet,-q", convert.read.quiet, "No rejection lines or warnings on stderr; only the summary and fatal errors");
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
  if (l->parsed()) return cli::labels(labels);
  if (rc->parsed()) return cli::routes_check(check_file);
  if (rt->parsed()) {
    routes_test.has_expect = expect->count() > 0;
    return cli::routes_test(routes_test);
  }
  if (s->parsed()) return cli::send(send);
  return cli::kUsage;
}
