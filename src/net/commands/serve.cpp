// cmrelay serve: wires the listener (serve/listener.h), the spool (serve/spool.h) and the
// delivery from it (serve/relay.h) into the one delivery loop (deliver/engine.h) with the
// kStopAndDrain policy, and the signals (cli/signals.h): SIGTERM/SIGINT stop (a second one
// stops at once; nothing is lost either way, the spool keeps what was not delivered), SIGHUP
// reloads the route file when the new one passes `routes check`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/options.h"
#include "cli/read.h"
#include "cli/signals.h"
#include "net/commands/options.h"
#include "net/commands/shared_option.h"
#include "net/commands/url_option.h"
#include "net/deliver/engine.h"
#include "net/deliver/recall.h"
#include "net/serve/relay.h"
#include "net/serve/shared_seen.h"
#include "report/diag.h"
#include "route/channel.h"
#include "text/escape.h"
#include "text/size.h"

namespace cmrelay::cli {
namespace {

bool fail(const std::string& why) {
  diag::say("serve: %s", why.c_str());
  return false;
}

// The route file, when it passes `routes check` (no finding but warnings, which leave a file
// usable there too; every channel URL passes the one URL rule, route/channel.h). Every
// finding and warning is said on stderr.
std::optional<RouteTable> load_checked(const std::string& path) {
  std::vector<std::string> findings;
  size_t warnings = 0;
  bool readable = check_routes(path, findings, &warnings);
  for (const std::string& f : findings) diag::say("%s", f.c_str());
  if (!readable || findings.size() > warnings) return std::nullopt;
  return load_routes(path);
}

// --no-auth accepts anyone who can reach the address: on loopback only, unless
// --no-auth-anywhere says that is meant.
bool check_no_auth(const ServeOptions& o) {
  bool loopback = false;
  std::string why;
  if (!serve::listen_loopback(o.listen.listen, loopback, why)) return fail(why);
  if (o.listen.no_auth && !loopback && !o.listen.no_auth_anywhere) {
    return fail("--no-auth on --listen " + text::escape(o.listen.listen) +
                ", not a loopback address: anyone who can reach it could post; give a token (--token-file or "
                "CMRELAY_TOKEN), listen on 127.0.0.1, or add --no-auth-anywhere if that is meant");
  }
  return true;
}

bool check_options(const ServeOptions& o, serve::Auth& auth) {
  std::string why;
  if (o.spool.empty()) return fail("--spool DIR is required");
  if (o.url.empty() == o.routes_path.empty())
    return fail("serve needs one of --routes FILE and --url URL (or --url-file FILE, --url-env NAME)");
  if (!o.url.empty() && !check_channel_url(o.url, why)) return fail("--url " + why);
  if (o.log_format != "text" && o.log_format != "json") return fail("--log-format must be text or json");
  std::vector<Rate> rates;
  if (!o.rate.empty() && !check_rate_option(o.rate, !o.url.empty(), rates, why)) return fail(why);
  if (o.vendor != "auto" && !parse_alert_vendor(o.vendor)) {
    return fail("--vendor must be auto or one of " + vendor_names() + ", not '" + o.vendor + "'");
  }
  if (o.delivery.concurrency < 1 || o.delivery.max_attempts < 1)
    return fail("--concurrency and --max-attempts must be at least 1");
  if (o.listen.tls_cert.empty() != o.listen.tls_key.empty()) return fail("--tls-cert and --tls-key go together");
  // Shorter, every request (or connection) would be cut before it could be read.
  if (o.listen.request_timeout < std::chrono::seconds(1) || o.listen.idle_timeout < std::chrono::seconds(1))
    return fail("--request-timeout and --idle-timeout must be at least 1s");
  if (!check_no_auth(o)) return false;
  if (o.listen.max_connections < 1 || o.listen.max_per_ip < 1 || o.listen.threads < 1 || o.spool_max_files < 1 ||
      o.spool_max_bytes < o.listen.max_body) {
    return fail(
        "--max-connections, --max-connections-per-ip, --threads and --spool-max-files must be at least 1, "
        "and --spool-max-bytes at least --max-body");
  }
  if (!o.token_file.empty() && !auth.load_file(o.token_file, why)) return fail(why);
  if (const char* env = std::getenv("CMRELAY_TOKEN")) auth.add_tokens(env);
  if (o.listen.no_auth && auth.has_tokens())
    return fail("--no-auth and a token (--token-file or CMRELAY_TOKEN) exclude each other");
  if (!o.listen.no_auth && !auth.has_tokens()) {
    return fail(
        "no token: give --token-file FILE (one token per line) or the CMRELAY_TOKEN environment variable; "
        "--no-auth accepts requests from anyone who can reach --listen (for loopback set-ups only)");
  }
  for (const std::string& cidr : o.allow) {
    if (!auth.allow(cidr, why)) return fail(why);
  }
  if (o.shared.given() && !o.state.empty() && o.state != "none") {
    return fail(
        "--state FILE and --shared exclude each other: with --shared the open-alert state is the fleet's, in "
        "Redis (--state none turns it off)");
  }
  return true;
}

std::string rejected_dir(const ServeOptions& o) {
  if (!o.rejected.empty()) return o.rejected;
  std::filesystem::path spool = std::filesystem::absolute(o.spool).lexically_normal();
  if (!spool.has_filename()) spool = spool.parent_path();
  return (spool.parent_path() / "rejected").string();
}

// The path as the file system resolves it (symbolic links of its existing part followed),
// so that two spellings of one place compare equal.
std::filesystem::path resolved(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  if (ec) p = std::filesystem::absolute(path).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "dir/" is dir.
  return p;
}

// True when inner is outer or lies inside it.
bool within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

// The places serve writes must be apart: a dead-letter file or state database inside the
// spool would be read as requests, a rejected folder inside (or equal to) the spool would
// be read again and again. Any two that are the same, or one inside the other, are a usage
// error naming both.
bool check_apart(const ServeOptions& o, const std::string& rejected) {
  struct Place {
    std::string option, path;
  };
  std::vector<Place> places{{"--spool", o.spool},
                            {o.rejected.empty() ? "--rejected (by default beside the spool)" : "--rejected", rejected}};
  if (!o.dead_letter_path.empty()) places.push_back({"--dead-letter", o.dead_letter_path});
  if (!o.routes_path.empty() && o.state != "none") {
    const std::string state = o.state.empty() ? state::default_path() : o.state;
    if (!state.empty()) places.push_back({o.state.empty() ? "--state (by default)" : "--state", state});
  }
  for (size_t a = 0; a < places.size(); ++a) {
    for (size_t b = 0; b < places.size(); ++b) {
      if (a == b) continue;
      const std::filesystem::path pa = resolved(places[a].path), pb = resolved(places[b].path);
      if (!within(pa, pb)) continue;
      return fail(places[a].option + " " + text::escape(places[a].path) + (pa == pb ? " is " : " lies inside ") +
                  places[b].option + " " + text::escape(places[b].path) +
                  ": --spool, --rejected, --dead-letter and --state must each be apart from the others");
    }
  }
  return true;
}

void reload(const ServeOptions& o, serve::Relay& relay, const serve::Log& log) {
  std::optional<RouteTable> routes = load_checked(o.routes_path);
  if (!routes) {
    log.write("reload", {{"outcome", "failed"}, {"routes", o.routes_path}, {"kept", "the routes loaded before"}});
    return;
  }
  relay.use_routes(std::move(*routes));
  log.write("reload", {{"outcome", "done"}, {"routes", o.routes_path}});
}

// serve's side of the delivery loop: the relay takes new spool files until the first stop,
// SIGHUP reloads the route file, and the first stop closes the listener (its requests in
// flight get the drain time, none at all after a second signal).
class Serving : public deliver::Source {
 public:
  Serving(const ServeOptions& o, serve::Relay& relay, serve::Listener& listener, const serve::Log& log,
          signals::Received& sig)
      : o_(o), relay_(relay), listener_(listener), log_(log), sig_(sig) {}

  bool take(deliver::Sender&) override {
    relay_.take_new();
    return true;  // The spool never ends: only a stop does.
  }
  bool unfinished() const override { return relay_.files_in_progress() > 0; }
  void tick() override {
    if (!stopped_ && sig_.reload.exchange(false) && !o_.routes_path.empty()) reload(o_, relay_, log_);
  }
  void stopping(int stops) override {
    if (stopped_) return;
    stopped_ = true;
    log_.write("stop", {{"signal", std::to_string(sig_.first.load())}});
    listener_.stop(stops > 1 ? std::chrono::milliseconds(0) : o_.drain_timeout);
  }

 private:
  const ServeOptions& o_;
  serve::Relay& relay_;
  serve::Listener& listener_;
  const serve::Log& log_;
  signals::Received& sig_;
  bool stopped_ = false;
};

// The start line's state field: whether recoveries also go where their alert went.
std::string state_field(const ServeOptions& o, const state::Store* store, const std::string& error) {
  if (o.routes_path.empty()) return "none (--url)";
  if (store != nullptr) return o.shared.given() ? "shared" : "open";
  return error.empty() ? "none" : "failed: routes alone decide";
}

// The places serve keeps what it received: the spool (a name it did not write is logged and
// left alone), the vendor-retry window's file, and the dead-letter file.
bool open_places(const ServeOptions& o, const serve::Log& log, serve::Spool& spool, serve::Seen& seen,
                 deliver::DeadLetterFile& dead_letter, std::string& error) {
  if (!spool.open(o.spool, rejected_dir(o), {o.spool_max_files, o.spool_max_bytes}, error)) return false;
  if (spool.foreign() > 0) {
    log.write("spool", {{"ignored", std::to_string(spool.foreign())},
                        {"first", spool.first_foreign()},
                        {"why", "the spool reads only the names it writes (UNIXNANOSECONDS-SEQ.http)"}});
  }
  return seen.open(o.spool + "/.seen", o.dedup_window.count() / 1000, error) &&
         dead_letter.open(o.dead_letter_path, error);
}

// --shared: the fleet's Redis (null without it), its outages logged once at each end and
// shown in /metrics and /readyz, and the fleet-wide vendor-retry claims. False with error set
// on a usage error.
bool open_shared(const ServeOptions& o, const serve::Log& log, serve::Metrics& metrics,
                 std::unique_ptr<state::RedisLink>& link, std::optional<serve::SharedSeen>& shared_seen,
                 std::string& error) {
  link = open_fleet(
      o.shared, FleetUse::Serve,
      [&log, &metrics](bool up, const std::string& shown, const std::string& reason, const std::string& mode) {
        metrics.shared_up(up);
        if (up) {
          log.write("shared", {{"redis", shown}, {"outcome", "restored"}, {"missed_writes", "not replayed"}});
        } else {
          log.write("shared", {{"redis", shown}, {"outcome", "degraded"}, {"error", reason}, {"meanwhile", mode}});
        }
      },
      error);
  if (!error.empty()) return false;
  if (!link) return true;
  metrics.shared(link->address().shown(), degraded_mode(o.shared.fleet_size, FleetUse::Serve));
  std::string id;
  if (!serve::spool_identity(o.spool, id, error)) return false;
  shared_seen.emplace(*link, o.dedup_window, id);
  return true;
}

// What the relay needs beyond its places: the open-alert state (one that cannot be opened is
// said once, on stderr and in the start line, and the route file alone decides), delivery's
// options, the vendor, the body limit.
serve::RelayOptions relay_options(const ServeOptions& o, state::Store* store, state::RedisLink* link,
                                  serve::SharedSeen* shared_seen) {
  serve::RelayOptions ro;
  ro.state = store;
  ro.shared_seen = shared_seen;
  ro.delivery = o.delivery;
  ro.delivery.shared = link;
  ro.delivery.fleet_size = o.shared.fleet_size;
  if (o.vendor != "auto") ro.vendor = parse_alert_vendor(o.vendor);
  ro.max_body = o.listen.max_body;
  return ro;
}

// The route file, or the one --url channel paced by --rate.
void use_channels(const ServeOptions& o, std::optional<RouteTable>& routes, serve::Relay& relay) {
  if (routes) {
    relay.use_routes(std::move(*routes));
    return;
  }
  std::vector<Rate> rates;
  std::string why;  // Checked by check_options().
  const bool rate_set = !o.rate.empty() && check_rate_option(o.rate, true, rates, why);
  relay.use_url(o.url, rates, rate_set);
}

// The start line (and the warning --no-auth-anywhere earns).
void log_start(const ServeOptions& o, const serve::Log& log, const serve::Listener& listener, serve::Spool& spool,
               const std::string& state, const state::RedisLink* link) {
  log.write("start", {{"listen", o.listen.listen},
                      {"port", std::to_string(listener.port())},
                      {"spool", o.spool},
                      {"waiting", std::to_string(spool.depth())},
                      {"auth", !o.listen.no_auth           ? "token"
                               : o.listen.no_auth_anywhere ? "none (--no-auth-anywhere)"
                                                           : "none (--no-auth)"},
                      {"state", state},
                      {"shared", link ? link->address().shown() + (link->up() ? "" : " (unreachable: degraded)")
                                      : std::string("none")}});
  if (o.listen.no_auth_anywhere) {
    log.write("warning", {{"message",
                           "--no-auth-anywhere: requests without a token are accepted from anyone who "
                           "can reach " +
                               o.listen.listen}});
  }
}

}  // namespace

int serve(const ServeOptions& options) {
  diag::use_json(options.log_format == "json");  // Every stderr line from here on, diagnostics included.
  ServeOptions o = options;                      // The URL filled in from --url-file or --url-env.
  std::string error;
  if (!resolve_url(o.url, o.url_file, o.url_env, "serve", false, error)) return fail(error), kUsage;
  serve::Auth auth;
  if (!check_options(o, auth)) return kUsage;
  std::optional<RouteTable> routes;
  if (!o.routes_path.empty() && !(routes = load_checked(o.routes_path))) return kUsage;
  if (!check_apart(o, rejected_dir(o))) return kUsage;
  serve::Log log(o.log_format == "json");
  serve::Spool spool;
  serve::Seen seen;
  deliver::DeadLetterFile dead_letter;
  if (!open_places(o, log, spool, seen, dead_letter, error)) return fail(error), kUsage;
  serve::Metrics metrics;
  std::unique_ptr<state::RedisLink> link;
  std::optional<serve::SharedSeen> shared_seen;
  if (!open_shared(o, log, metrics, link, shared_seen, error)) return fail(error), kUsage;
  std::unique_ptr<state::Store> store;
  std::string state_error;
  if (routes) store = open_state(o.state, o.state_max_age, false, state_error, link.get());
  serve::RelayOptions ro = relay_options(o, store.get(), link.get(), shared_seen ? &*shared_seen : nullptr);
  ro.state_error = state_error;
  // SMN's subscription handshake (Huawei Cloud Eye): confirmed for the allowed hosts only.
  serve::SmnOptions smn_options;
  smn_options.hosts = o.smn_confirm_hosts.empty() ? serve::default_smn_hosts() : o.smn_confirm_hosts;
  smn_options.cacert = o.delivery.cacert;
  serve::SmnConfirm smn(smn_options, log);
  ro.smn = &smn;
  serve::Relay relay(ro, spool, seen, metrics, log, dead_letter);
  use_channels(o, routes, relay);

  // Before the listener's threads start, so that they inherit it; a client gone mid-answer
  // must not end the process (SIGPIPE).
  signals::Received& sig = signals::install({.reload = true, .ignore_pipe = true});
  serve::Listener listener(
      o.listen, auth, spool, metrics, log, [&relay] { return relay.has_routes(); }, [&relay] { relay.notify(); });
  if (!listener.start(error)) return fail(error), kUsage;
  log_start(o, log, listener, spool, state_field(o, store.get(), state_error), link.get());
  // Stop: no new connection; requests in flight finish (or are cut at the grace's end,
  // unanswered, so their senders retry); deliveries in flight get drain_timeout, and the
  // files they came from stay in the spool unless they finish.
  Serving serving(o, relay, listener, log, sig);
  deliver::run(serving, relay.sender(), {deliver::OnStop::kStopAndDrain, o.drain_timeout}, sig);
  log.write("stopped", {{"left_in_spool", std::to_string(spool.depth())}});
  return kOk;
}

Run add_serve(CLI::App& cmd) {
  auto o = std::make_shared<ServeOptions>();
  serve::ListenOptions& l = o->listen;
  cmd.add_option("--listen", l.listen, "ADDR:PORT to listen on ([V6ADDR]:PORT; port 0 picks a free one)")
      ->capture_default_str();
  cmd.add_option("--spool", o->spool, "Directory of received requests, each stored durably before the 2xx")
      ->type_name("DIR")
      ->required();
  cmd.add_option("--rejected", o->rejected,
                 "Where undecodable requests go, with NAME.reason (default: rejected/ beside the spool)")
      ->type_name("DIR");
  CLI::Option* routes = cmd.add_option("--routes", o->routes_path,
                                       "Route file: POST each event to the channels it routes to (SIGHUP reloads it)")
                            ->type_name("FILE");
  add_url_options(cmd, routes, o->url, o->url_file, o->url_env);
  cmd.add_option("--dead-letter", o->dead_letter_path, "Append every undelivered event to FILE (default: stderr)")
      ->type_name("FILE");
  cmd.add_option("--token-file", o->token_file, "Accepted tokens, one per line (or CMRELAY_TOKEN in the environment)")
      ->type_name("FILE");
  cmd.add_option("--token-header", l.token_headers, "Another request header that may carry the token (repeatable)")
      ->type_name("NAME");
  CLI::Option* no_auth =
      cmd.add_flag("--no-auth", l.no_auth, "Accept requests without a token (on a loopback --listen address only)");
  cmd.add_flag("--no-auth-anywhere", l.no_auth_anywhere,
               "With --no-auth: also on an address other than loopback (anyone who can reach it may post)")
      ->needs(no_auth);
  cmd.add_option("--allow", o->allow, "Accept clients from this address range only (repeatable)")->type_name("CIDR");
  cmd.add_option("--tls-cert", l.tls_cert, "Serve HTTPS with this PEM certificate (chain)")->type_name("FILE");
  cmd.add_option("--tls-key", l.tls_key, "The PEM private key of --tls-cert")->type_name("FILE");
  cmd.add_option("--vendor", o->vendor, vendor_help())->capture_default_str();
  cmd.add_option("--smn-confirm-host", o->smn_confirm_hosts,
                 "Confirm a Huawei SMN subscription by one GET to its subscribe_url only on this host (repeatable; "
                 "*.SUFFIX for any name under it)")
      ->type_name("HOST")
      ->default_str("console.huaweicloud.com, console-intl.huaweicloud.com, *.myhuaweicloud.com, *.myhuaweicloud.eu");
  add_size(
      cmd, "--max-body", [&l](uint64_t n) { l.max_body = static_cast<size_t>(n); },
      "Largest request body, a SIZE from 1k to 1g; larger gets 413", kMinMaxBody, kMaxMaxBody,
      text::format_size(l.max_body));
  cmd.add_option("--max-connections", l.max_connections, "Connections open at most")->capture_default_str();
  cmd.add_option("--max-connections-per-ip", l.max_per_ip, "Connections open at most from one address")
      ->capture_default_str();
  add_seconds(cmd, "--idle-timeout", l.idle_timeout, "Close a connection silent this long (headers, body, keep-alive)");
  add_seconds(cmd, "--request-timeout", l.request_timeout,
              "Cut a request not read whole (headers and body) this long after its request line (408, logged)");
  cmd.add_option("--threads", l.threads, "Threads writing requests to the spool (made durable by a group commit)")
      ->capture_default_str();
  cmd.add_option("--spool-max-files", o->spool_max_files, "Requests waiting at most; more get 503 with Retry-After")
      ->capture_default_str();
  add_size(
      cmd, "--spool-max-bytes", [o](uint64_t n) { o->spool_max_bytes = n; },
      "Bytes waiting at most, a SIZE of at least --max-body; more get 503", kMinMaxBody, UINT64_MAX,
      text::format_size(o->spool_max_bytes));
  add_seconds(cmd, "--retry-after", l.retry_after, "Retry-After sent with 503");
  add_seconds(cmd, "--dedup-window", o->dedup_window,
              "A vendor retry of a delivery taken this recently is delivered once");
  add_seconds(cmd, "--drain-timeout", o->drain_timeout, "On SIGTERM: time for requests and deliveries in flight");
  cmd.add_option("--log-format", o->log_format,
                 "Log lines on stderr: text, or json (then every stderr line is one JSON object, diagnostics too)")
      ->capture_default_str();
  cmd.add_option("--rate", o->rate, "With --url: pace requests as send --rate does, e.g. 100/s,1000/m, or none")
      ->type_name("N/UNIT,...");
  cmd.add_option("--state", o->state,
                 "With --routes: open-alert state (SQLite) as send's; recoveries also go where their alert went; none "
                 "turns it off (one that cannot be opened: said once, routes alone decide)")
      ->type_name("FILE|none")
      ->default_str("$XDG_STATE_HOME/cmrelay/state.db, else ~/.local/state/cmrelay/state.db");
  add_age(cmd, "--state-max-age", o->state_max_age, "With --routes: forget an open alert not seen for this long");
  add_shared_options(cmd, o->shared, true, "Budgets, the open-alert state and vendor retries kept");
  add_delivery_options(cmd, o->delivery);
  return [o] { return serve(*o); };
}

}  // namespace cmrelay::cli
