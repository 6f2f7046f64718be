// cmrelay: cloud monitoring webhooks (Volcengine, Alibaba, Tencent, Huawei, Alertmanager) -> Flashduty
// standard alert events.
// main() only wires: the command table, and the program's own help.
#include <CLI/CLI.hpp>
#include <string>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/full.h"
#if CMRELAY_FULL
#include "net/commands/options.h"
#endif

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
SIZE (--max-body, --spool-max-bytes): a whole number of bytes with an optional unit k, m or g,
any case (k = 1024, m = 1024k, g = 1024m: 512, 64k, 8m); no other unit (8mb), no fraction.
URL (--url, --url-file, --url-env, a route file channel's url): http or https, a valid URL
(RFC 3986) with a host, and a port from 1 to 65535 when one is given.
See cmrelay(1) for input forms, output fields and labels.
)";

// A delivering command's registration: in cmrelay-full, its add_*; in the light cmrelay,
// none, so that it is listed in --help and handed to cmrelay-full (cli/full.h).
#if CMRELAY_FULL
#define FULL_ONLY(add) (add)
#else
#define FULL_ONLY(add) nullptr
#endif

// Every command, in --help's order; the first is the default one (`cmrelay PATH...`). Adding a
// command: one entry here, plus its file (CONTRIBUTING.md, "Adding a command").
const cli::Command kCommands[] = {
    {"convert",
     "Print one Flashduty standard event per line (the default command; a first word that is neither a command nor "
     "a file is a usage error)",
     cli::add_convert},
    {"detect", "Print each body's format id and the keys that decided it", cli::add_detect},
    {"labels", "List the label keys the events carry, with counts and example values (for writing route files)",
     cli::add_labels},
    {"routes", "Check a route file, or show where events route", cli::add_routes},
    {"send", "Convert, then POST each event to its channels (--routes) or --url, retrying and dead-lettering",
     FULL_ONLY(cli::add_send)},
    {"serve", "Receive webhooks over HTTP, store each durably before the 2xx, and deliver it like send",
     FULL_ONLY(cli::add_serve)},
    {"alerts", "List the open alerts send's state remembers (a table on a terminal, else NDJSON), or forget some",
     FULL_ONLY(cli::add_alerts)},
};

}  // namespace

int main(int argc, char** argv) {
  cli::open_standard_fds();
#if !CMRELAY_FULL
  if (argc > 1) {
    const cli::Command* command = cli::find_command(kCommands, argv[1]);
    if (command != nullptr && command->add == nullptr) return cli::exec_full(argv, CMRELAY_FULL_RELPATH);
  }
#endif
  CLI::App app{
      "cmrelay: turns Volcengine, Alibaba, Tencent, Huawei and Alertmanager webhook bodies into Flashduty "
      "standard alert events",
      "cmrelay"};
  app.set_version_flag("--version,-V", std::string("cmrelay ") + CMRELAY_VERSION);
  app.footer(kExamples);
  return cli::run_command_line(app, kCommands, argc, argv);
}
