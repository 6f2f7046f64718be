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

}  // namespace cmrelay::cli
