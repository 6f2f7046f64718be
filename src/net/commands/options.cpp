#include "net/commands/options.h"

#include <CLI/CLI.hpp>

#include "cli/options.h"

namespace cmrelay::cli {

void add_delivery_options(CLI::App& cmd, deliver::DeliveryOptions& d) {
  cmd.add_option("--concurrency", d.concurrency, "Requests in flight at most, 1 to 1024")
      ->check(CLI::Range(1, 1024).description(""))
      ->capture_default_str();
  add_seconds(cmd, "--connect-timeout", d.connect_timeout, "Connect timeout (TCP and TLS)");
  add_seconds(cmd, "--timeout", d.timeout, "Timeout of one attempt (a route file channel's timeout wins)");
  cmd.add_option("--cacert", d.cacert,
                 "Verify servers with the CA certificates in FILE (PEM; one certificate at least)")
      ->type_name("FILE");
  add_seconds(cmd, "--backoff-base", d.backoff_base, "First retry waits up to this (full jitter, doubling)");
  add_seconds(cmd, "--backoff-cap", d.backoff_cap, "Longest backoff between attempts");
  cmd.add_option("--max-attempts", d.max_attempts, "Attempts per event and channel, the first included")
      ->capture_default_str();
  add_seconds(cmd, "--max-elapsed", d.max_elapsed, "Give up on an event this long after its first attempt");
  add_seconds(cmd, "--max-retry-after", d.max_retry_after, "A longer Retry-After dead-letters the event at once");
}

void add_shared_options(CLI::App& cmd, SharedOptions& o, bool fleet, const std::string& what) {
  CLI::Option* url = cmd.add_option("--shared", o.url,
                                    what +
                                        " in the Redis a fleet of hosts shares; ps shows a password: prefer "
                                        "--shared-file or --shared-env")
                         ->type_name("redis://[USER:PASSWORD@]HOST[:PORT][/DB]");
  CLI::Option* file = cmd.add_option("--shared-file", o.file, "Like --shared, the URL read from FILE (its one line)")
                          ->type_name("FILE")
                          ->excludes(url);
  cmd.add_option("--shared-env", o.env, "Like --shared, the URL read from the environment variable NAME")
      ->type_name("NAME")
      ->excludes(url, file);
  if (!fleet) return;
  cmd.add_option("--fleet-size", o.fleet_size,
                 "With --shared (required): the hosts that share it; while Redis is away each keeps to 1/N of every "
                 "budget")
      ->type_name("N")
      ->check(CLI::Range(1, 10000).description(""));
}

}  // namespace cmrelay::cli
