// --shared, --shared-file, --shared-env and --fleet-size: the Redis a fleet of hosts shares,
// read, opened and reported the one way send, serve and alerts use it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "net/commands/options.h"
#include "net/state/redis_link.h"

namespace cmrelay::cli {

enum class FleetUse { List, Send, Serve };  // alerts; send; serve.

// What this host does while Redis is away, for the outage's line and /readyz: "budgets at
// 1/N of each, recoveries by their routes[, vendor retries recognised per host]".
std::string degraded_mode(size_t fleet_size, FleetUse use);

// How an outage is said: up false when Redis became unreachable (reason: why), true when it
// answers again; shown is its URL without the password, mode degraded_mode().
using SayOutage =
    std::function<void(bool up, const std::string& shown, const std::string& reason, const std::string& mode)>;

// The link --shared names (from --shared, --shared-file or --shared-env), connected; null
// without --shared (why left empty). Null with why set (a usage error, never holding the
// password) when the URL cannot be read or is no redis:// URL, when a delivering command
// lacks --fleet-size (or has it without --shared), or when Redis refuses the password or
// the database. Warns on stderr when --shared itself holds a password (ps shows it). An
// unreachable Redis is no error: the link starts in an outage (said) and comes up with it.
std::unique_ptr<state::RedisLink> open_fleet(const SharedOptions& o, FleetUse use, SayOutage say, std::string& why);

}  // namespace cmrelay::cli
