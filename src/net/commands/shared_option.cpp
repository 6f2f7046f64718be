#include "net/commands/shared_option.h"

#include "net/commands/url_option.h"
#include "report/diag.h"

namespace cmrelay::cli {
namespace {

// The Redis --shared names, checked; false with why set.
bool shared_address(const SharedOptions& o, FleetUse use, state::RedisAddress& address, std::string& why) {
  std::string url = o.url;
  if (!resolve_secret("--shared", o.file, o.env, url, why)) return false;
  if (!state::parse_redis_url(url, address, why)) {
    why = "--shared " + why;
    return false;
  }
  if (use != FleetUse::List && o.fleet_size == 0) {
    why =
        "--shared needs --fleet-size N, the number of hosts that share it: while Redis is away each keeps to 1/N "
        "of every budget";
    return false;
  }
  if (o.file.empty() && o.env.empty() && !address.password.empty()) {
    diag::say(
        "warning: --shared holds a password that any user can read with ps; give it with --shared-file FILE or "
        "--shared-env NAME");
  }
  return true;
}

}  // namespace

std::string degraded_mode(size_t fleet_size, FleetUse use) {
  if (use == FleetUse::List) return "the open alerts cannot be read";
  std::string mode = "budgets at 1/" + std::to_string(fleet_size) + " of each, recoveries by their routes";
  if (use == FleetUse::Serve) mode += ", vendor retries recognised per host";
  return mode;
}

std::unique_ptr<state::RedisLink> open_fleet(const SharedOptions& o, FleetUse use, SayOutage say, std::string& why) {
  if (!o.given()) {
    if (use != FleetUse::List && o.fleet_size != 0) why = "--fleet-size goes with --shared";
    return nullptr;
  }
  state::RedisAddress address;
  if (!shared_address(o, use, address, why)) return nullptr;
  auto link = std::make_unique<state::RedisLink>(address);
  link->on_change([say = std::move(say), shown = address.shown(), mode = degraded_mode(o.fleet_size, use)](
                      bool up, const std::string& reason) { say(up, shown, reason, mode); });
  if (!link->start(why)) {
    why = "--shared " + why;
    return nullptr;
  }
  return link;
}

}  // namespace cmrelay::cli
