// The delivering commands (cmrelay-full only) and their options: each registers its options
// and returns what runs it (add_*, for main()'s command table, cli/command.h). Split from
// cli/commands.h so that the core commands never compile against the net headers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "net/deliver/sender.h"
#include "net/serve/listener.h"

namespace cmrelay::cli {

struct SendOptions {
  ReadOptions read;
  std::string routes_path;       // --routes FILE: each event to the channels it routes to.
  std::string url;               // --url: one ad-hoc channel.
  std::string url_file;          // --url-file FILE: the same, read from FILE (out of ps).
  std::string url_env;           // --url-env NAME: the same, from the environment variable NAME.
  std::string dead_letter_path;  // --dead-letter FILE; empty: records go to stderr.
  bool dry_run = false;
  std::string stats = "text";       // --stats text|json
  std::string rate;                 // --rate (with --url): "100/s,1000/m" or "none"; empty: the URL's default.
  int verbose = 0;                  // -v, repeatable.
  std::string log_format = "text";  // --log-format text|json, of the -v and dead-letter lines.
  std::string state;                // --state FILE|none; empty: the default location.
  std::chrono::seconds state_max_age{30 * 24 * 3600};  // --state-max-age
  deliver::DeliveryOptions delivery;
};

struct AlertsOptions {
  std::string state;                // --state FILE; empty: the default location.
  std::vector<std::string> forget;  // --forget KEY...
  bool forget_all = false;          // --forget-all
  std::string format = "auto";      // --format auto|table|ndjson (auto: a table on a terminal)
};

// cmrelay alerts: the open alerts the state knows, or forgets some. 0 done, 1 a --forget
// key was not open, 2 usage, 8 the state cannot be used.
int alerts(const AlertsOptions& options);

struct ServeOptions {
  serve::ListenOptions listen;     // --listen, limits, TLS, --token-header.
  std::string spool;               // --spool DIR
  std::string rejected;            // --rejected DIR; empty: "rejected" beside the spool.
  std::string routes_path;         // --routes FILE
  std::string url;                 // --url URL
  std::string dead_letter_path;    // --dead-letter FILE; empty: stderr.
  std::string token_file;          // --token-file FILE
  std::vector<std::string> allow;  // --allow CIDR
  std::string vendor = "auto";
  uint64_t spool_max_files = 10000;
  uint64_t spool_max_bytes = uint64_t{1} << 30;
  std::chrono::milliseconds dedup_window{3600000};
  std::chrono::milliseconds drain_timeout{10000};  // After SIGTERM: deliveries in flight.
  std::string log_format = "text";                 // --log-format text|json
  std::string rate;                                // --rate (with --url), as send's.
  std::string state;                               // --state FILE|none (with --routes); empty: the default location.
  std::chrono::seconds state_max_age{30 * 24 * 3600};  // --state-max-age
  std::vector<std::string> smn_confirm_hosts;          // --smn-confirm-host; empty: Huawei's (serve/smn.h).
  deliver::DeliveryOptions delivery;
};

// cmrelay serve: runs until SIGTERM/SIGINT; 0 after a clean stop (whatever was not
// delivered stays in the spool for the next start), 2 when it cannot start.
int serve(const ServeOptions& options);
int send(const SendOptions& options);

// The delivery engine's options (--concurrency, timeouts, --cacert, backoff, attempts),
// shared by send and serve (options.cpp).
void add_delivery_options(CLI::App& cmd, deliver::DeliveryOptions& d);

// The registrations of the command table (cli/command.h), each in its command's file.
Run add_send(CLI::App& cmd);    // send.cpp
Run add_serve(CLI::App& cmd);   // serve.cpp
Run add_alerts(CLI::App& cmd);  // alerts.cpp

}  // namespace cmrelay::cli
