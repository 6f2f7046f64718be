// cmrelay send: read and convert like convert, then deliver every event to its channels. The
// options become the reading side (each event routed by route/dispatch.h) and the engine's
// configuration; the delivery loop and hand-over are deliver/engine.h's (the kStop policy), the
// signals cli/signals.h's, the summary send_report.h's.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "cli/options.h"
#include "cli/read.h"
#include "cli/signals.h"
#include "input/sources.h"
#include "net/commands/options.h"
#include "net/commands/send_report.h"
#include "net/commands/shared_option.h"
#include "net/commands/url_option.h"
#include "net/deliver/cacert.h"
#include "net/deliver/deadletter.h"
#include "net/deliver/engine.h"
#include "net/deliver/recall.h"
#include "net/deliver/tls.h"
#include "output/ndjson.h"
#include "report/diag.h"
#include "report/progress.h"
#include "route/dispatch.h"
#include "text/escape.h"
#include "text/url_redact.h"

namespace cmrelay::cli {
namespace {

// --dry-run: route/channel.h's dry_run_line.
void write_dry_run(NdjsonWriter& out, const Channel& ch, std::string_view body) {
  out.write_line(dry_run_line(ch, body));
}

// Where each event goes (route/dispatch.h decides), and the line for an event routed nowhere.
class Destinations {
 public:
  // lines: the per-event "routed to no channel" lines, bounded as rejection lines are
  // (--quiet, --max-errors; the summary counts them all).
  Destinations(Dispatch& dispatch, diag::Budget lines) : dispatch_(dispatch), lines_(lines) {}

  // Sets out to the event's channels; when there are none, says so on stderr. Returns the
  // state's token for the sender.
  uint64_t pick(const Record& rec, Event& e, std::vector<const Channel*>& out) {
    const uint64_t token = dispatch_.route(e, out);
    if (!out.empty()) return token;
    // The caller dead-letters it: an event is delivered or dead-lettered, never dropped.
    ++unrouted_;
    if (!lines_.take()) return token;
    std::string was = e.replay_channel.empty()
                          ? ""
                          : " (its record's channel '" + text::escape(e.replay_channel) + "' is not in the route file)";
    diag::say("%s:%llu: event %s routed to no channel%s; dead-lettered", text::escape(rec.source).c_str(),
              static_cast<unsigned long long>(rec.index), text::escape(e.alert_key).c_str(), was.c_str());
    return token;
  }

  uint64_t unrouted() const { return unrouted_; }

 private:
  Dispatch& dispatch_;
  diag::Budget lines_;  // Only the reading thread picks.
  std::atomic<uint64_t> unrouted_{0};
};

// The reading side: hands every event the pipeline reads to feed, with its channels,
// until stop is set.
void read_events(Pipeline& pipeline, const SendOptions& o, Destinations& where, deliver::Feed& feed,
                 std::atomic<bool>& stop) {
  rapidjson::StringBuffer sb;
  std::vector<const Channel*> channels;
  read_inputs(
      pipeline, o.read,
      [&](const Record& rec, const Detection&, EventBatch& events) {
        feed.body_begins();
        for (Event& e : events) {
          uint64_t token = where.pick(rec, e, channels);
          sb.Clear();
          append_event_json(e, sb);
          feed.event(std::string_view(sb.GetString(), sb.GetSize()), e.alert_key, channels, token);
        }
        feed.body_ends();
      },
      &stop);
}

// --dry-run's end of the hand-over: every event printed once per channel.
class DryRun : public deliver::Feed {
 public:
  explicit DryRun(std::atomic<bool>& stop) : stop_(stop) {}
  void body_begins() override {}
  void body_ends() override {}
  void event(std::string_view body, const std::string&, const std::vector<const Channel*>& to, uint64_t) override {
    for (const Channel* ch : to) write_dry_run(out_, *ch, body);
    if (out_.failed()) stop_.store(true);  // Nothing more can be printed: stop reading.
  }
  // False when standard output could not be written.
  bool finish() { return flush_output(out_); }

 private:
  NdjsonWriter out_{stdout, false};
  std::atomic<bool>& stop_;
};

// Both paths name one existing file.
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return !a.empty() && !b.empty() && ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool check_options(SendOptions& o) {
  std::string why;
  if (!resolve_url(o.url, o.url_file, o.url_env, "send", o.read.quiet, why)) {
    diag::say("%s", why.c_str());
    return false;
  }
  std::vector<Rate> rates;
  if (o.url.empty() == o.routes_path.empty()) {
    why = "send needs one of --routes FILE and --url URL (or --url-file FILE, --url-env NAME)";
  } else if (!o.url.empty() && !check_channel_url(o.url, why)) {
    why = "--url " + why;
  } else if (o.stats != "text" && o.stats != "json") {
    why = "--stats must be text or json, not '" + o.stats + "'";
  } else if (o.dry_run && o.read.remove_done) {
    why = "--remove-done with --dry-run would remove input that was not sent";
  } else if (o.log_format != "text" && o.log_format != "json") {
    why = "--log-format must be text or json, not '" + o.log_format + "'";
  } else if (!o.rate.empty() && !check_rate_option(o.rate, !o.url.empty(), rates, why)) {
    // why says it.
  } else if (o.delivery.concurrency < 1) {
    why = "--concurrency must be at least 1";
  } else if (o.delivery.max_attempts < 1) {
    why = "--max-attempts must be at least 1";
  } else if (o.delivery.timeout.count() <= 0 || o.delivery.connect_timeout.count() <= 0 ||
             o.delivery.max_elapsed.count() <= 0) {
    why = "--timeout, --connect-timeout and --max-elapsed must be at least 0.001 seconds";
  } else if (!o.delivery.cacert.empty() && !deliver::check_ca_file(o.delivery.cacert, why)) {
    why = "--cacert " + why;
  } else if (o.shared.given() && !o.state.empty() && o.state != "none") {
    why =
        "--state FILE and --shared exclude each other: with --shared the open-alert state is the fleet's, in Redis "
        "(--state none turns it off)";
  }
  if (why.empty()) return true;
  diag::say("%s", why.c_str());
  return false;
}

// Why --remove-done may remove nothing of this run, or empty: a record that failed to be
// written, or dead-lettered events that only stderr holds, cannot be tied to their input.
std::string refuse_removal(const SendOptions& o, const Outcomes& outcomes, const Totals& totals, bool dead_failed) {
  if (outcomes.has(kOutputFailed)) return "standard output could not be written";
  if (dead_failed) return "a dead-letter record could not be written to the file";
  if (o.dead_letter_path.empty() && (totals.dead_lettered > 0 || outcomes.has(kUnrouted))) {
    return "events were dead-lettered to stderr (no --dead-letter file)";
  }
  return "";
}

// HTTPS without --cacert needs the system's CA certificates: without them every event
// would fail alike, so it is a usage error, said once.
bool check_ca(const SendOptions& o, const RouteTable* routes) {
  if (o.dry_run || !o.delivery.cacert.empty()) return true;
  bool https = o.url.starts_with("https://");
  if (routes != nullptr) {
    for (const Channel& c : routes->channels()) https |= c.url.starts_with("https://");
  }
  if (!https) return true;
  std::string problem = deliver::default_ca_problem();
  if (problem.empty()) return true;
  diag::say("no CA certificates found (%s): install ca-certificates or pass --cacert", problem.c_str());
  return false;
}

// Opens --dead-letter (not with --dry-run) and refuses one that is also an input or the
// --reject file; false (said) is a usage error.
bool open_dead_letter(const SendOptions& o, deliver::DeadLetterFile& dead_letter) {
  std::string error;
  if (!o.dry_run && !dead_letter.open(o.dead_letter_path, error)) {
    diag::say("%s", error.c_str());
    return false;
  }
  // Checked once the file exists, against every file the inputs expand to.
  if (is_an_input(o.dead_letter_path, o.read)) {
    diag::say(
        "--dead-letter %s is also an input: replaying it would read its own new records "
        "(keep it outside the input paths)",
        o.dead_letter_path.c_str());
    return false;
  }
  if (same_file(o.dead_letter_path, o.read.reject_path)) {
    // Dead-letter records would land inside a streamed reject record, and a replay would
    // read the reject records as input.
    diag::say("--reject and --dead-letter must be different files");
    return false;
  }
  return true;
}

// Reads and delivers every event (deliver::deliver_all), redrawing the progress line.
deliver::RunResult deliver_with_progress(Pipeline& pipeline, const SendOptions& o, Destinations& where,
                                         deliver::Sender& sender, deliver::DeadLetterFile& dead_letter,
                                         signals::Received& signals, ProgressLine& progress) {
  // The progress line, redrawn at most this often.
  constexpr auto kRedraw = std::chrono::milliseconds(250);
  const auto began = std::chrono::steady_clock::now();
  auto drawn = began;
  deliver::RunResult run = deliver::deliver_all(
      [&](deliver::Feed& feed) { read_events(pipeline, o, where, feed, signals.stop); }, sender, dead_letter,
      [&](uint64_t bodies) {
        auto now = std::chrono::steady_clock::now();
        if (!progress.active() || now - drawn < kRedraw) return;
        drawn = now;
        progress.show(progress_text(bodies, sender.progress(), std::chrono::duration<double>(now - began).count()));
      },
      signals);
  progress.clear();
  return run;
}

// --shared: the fleet's Redis, its outages said once at each end on stderr.
void say_outage(bool up, const std::string& shown, const std::string& reason, const std::string& mode) {
  if (up) {
    diag::say("shared: %s answers again: budgets and state are the fleet's (missed writes are not replayed)",
              shown.c_str());
  } else {
    diag::say("shared: %s is unreachable (%s): %s until it is back", shown.c_str(), reason.c_str(), mode.c_str());
  }
}

// The run's summary on stderr (or as JSON on standard output with --stats json).
void report(const SendOptions& o, const SendSummary& summary, const deliver::RunResult& run) {
  const PipelineCounts& counts = summary.counts;
  if (o.dry_run) {
    diag::say("send: dry run: %llu events read, %llu rejected, nothing sent",
              static_cast<unsigned long long>(counts.events), static_cast<unsigned long long>(counts.rejected));
  } else if (o.stats == "json") {
    report_json(summary);
  } else {
    report_text(summary);
  }
  if (!o.dry_run) say_unsaid(counts);
  if (run.not_handed > 0) {
    diag::say(
        "send: %llu events converted after the second signal were not sent; their bodies are "
        "still in the input",
        static_cast<unsigned long long>(run.not_handed));
  }
}

// The open-alert state for a run with a route file: one that cannot be used is said once,
// and every event is still delivered by its route (exit 8).
void open_recall(const SendOptions& o, state::RedisLink* link, std::unique_ptr<state::Store>& store,
                 std::optional<Recall>& recall) {
  std::string error;
  store = open_state(o.state, o.state_max_age, o.dry_run, error, link);
  recall.emplace(store.get(), !o.dry_run);
  if (!error.empty()) recall->fail(error);
}

// --url's one channel, paced by --rate when given.
Channel url_channel(const SendOptions& o) {
  Channel ch;
  ch.name = "url";
  ch.url = o.url;
  if (!o.rate.empty()) {
    std::string why;  // Checked by check_options().
    ch.rate_set = check_rate_option(o.rate, true, ch.rate, why);
  }
  return ch;
}

// The exit status: 128 + the first signal (an interrupted run may have input left unread, so
// that no script takes it for handled), else the first outcome by precedence.
int conclude(const SendOptions& o, Pipeline& pipeline, const SendSummary& summary, const deliver::RunResult& run,
             Outcomes& outcomes, const Recall* recall) {
  const Totals totals = add_up(summary.channels);
  if (o.stats == "json" && !o.dry_run) outcomes.add(kOutputFailed, !flush_stdout());
  add_read_outcomes(summary.counts, outcomes);
  const bool dead_failed = totals.dead_letter_failed > 0 || run.unrouted_failed > 0;
  outcomes.add(kRecordWriteFailed, dead_failed);
  outcomes.add(kUndelivered, totals.dead_lettered > 0);
  outcomes.add(kUnrouted, summary.unrouted > 0);
  if (recall != nullptr && recall->missed() > 0) {
    diag::say(
        "send: %llu events were routed or remembered without the shared state while Redis was away (not replayed)",
        static_cast<unsigned long long>(recall->missed()));
  }
  outcomes.add(kStateFailed, recall != nullptr && (recall->failed() || recall->missed() > 0));
  if (o.read.remove_done && run.joined) remove_done(pipeline, refuse_removal(o, outcomes, totals, dead_failed));
  if (o.read.remove_done && !run.joined) {
    diag::say("--remove-done: no input removed: a second signal abandoned the reading");
  }
  return signals::received().exit_status(outcomes.status());
}

// Reads and delivers (or, with --dry-run, prints) every event, then reports.
int deliver_events(const SendOptions& o, Pipeline& pipeline, Dispatch& dispatch, Recall* recall, state::RedisLink* link,
                   deliver::DeadLetterFile& dead_letter) {
  deliver::DeliveryOptions delivery = o.delivery;
  delivery.verbosity = o.read.quiet ? -1 : o.verbose;
  delivery.log_json = o.log_format == "json";
  delivery.shared = link;
  delivery.fleet_size = o.shared.fleet_size;
  Destinations where(dispatch, diag::Budget(o.read.quiet, o.read.max_errors));
  signals::Received& sig = signals::install({.reload = false, .ignore_pipe = true});
  // Only on a terminal, and not with --quiet; cleared before every other line the sender writes.
  ProgressLine progress(!o.read.quiet && !o.dry_run);
  delivery.before_line = [&progress] { progress.clear(); };
  deliver::Sender sender(delivery, dead_letter, &sig.stops);  // The kStop policy: it counts signals.
  if (recall != nullptr) {
    deliver::SenderHooks hooks;
    hooks.on_done = [recall](uint64_t token, const Channel& ch, bool delivered) { recall->done(token, ch, delivered); };
    sender.set_hooks(std::move(hooks));
  }
  deliver::RunResult run;
  Outcomes outcomes;
  if (o.dry_run) {
    DryRun printer(sig.stop);
    read_events(pipeline, o, where, printer, sig.stop);
    outcomes.add(kOutputFailed, !printer.finish());
  } else {
    run = deliver_with_progress(pipeline, o, where, sender, dead_letter, sig, progress);
  }
  const SendSummary summary{pipeline.counts(), where.unrouted(), sender.stats(), sig.stops.load() > 0,
                            o.dead_letter_path};
  report(o, summary, run);
  const int status = conclude(o, pipeline, summary, run, outcomes, recall);
  if (!run.joined) {
    std::fflush(nullptr);
    std::_Exit(status);  // The reading thread still holds the pipeline.
  }
  return status;
}

}  // namespace

int send(const SendOptions& options) {
  SendOptions o = options;  // The URL filled in from --url-file or --url-env.
  if (!check_options(o)) return kUsage;
  std::optional<RouteTable> routes;
  if (!o.routes_path.empty() && !(routes = load_routes(o.routes_path))) return kUsage;
  if (!check_ca(o, routes ? &*routes : nullptr)) return kUsage;
  auto pipeline = make_pipeline(o.read, true, routes ? &routes->severity() : nullptr);
  if (!pipeline) return kUsage;
  deliver::DeadLetterFile dead_letter;
  if (!open_dead_letter(o, dead_letter)) return kUsage;
  const Channel url = url_channel(o);
  std::string why;
  std::unique_ptr<state::RedisLink> link = open_fleet(o.shared, FleetUse::Send, say_outage, why);
  if (!why.empty()) return diag::say("%s", why.c_str()), kUsage;
  std::unique_ptr<state::Store> store;
  std::optional<Recall> recall;  // With a route file only: --url has no memory.
  if (routes) open_recall(o, link.get(), store, recall);
  std::optional<Dispatch> dispatch;
  if (routes) {
    dispatch.emplace(*routes, &*recall);
  } else {
    dispatch.emplace(url);
  }
  return deliver_events(o, *pipeline, *dispatch, recall ? &*recall : nullptr, link.get(), dead_letter);
}

Run add_send(CLI::App& cmd) {
  auto o = std::make_shared<SendOptions>();
  add_read_options(cmd, o->read);
  add_remove_done(cmd, o->read);
  CLI::Option* routes = cmd.add_option("--routes", o->routes_path,
                                       "Route file (YAML or JSON): POST each event to the channels it routes to")
                            ->type_name("FILE");
  add_url_options(cmd, routes, o->url, o->url_file, o->url_env);
  cmd.add_option("--dead-letter", o->dead_letter_path,
                 "Append every undelivered event to FILE as an NDJSON record (default: stderr)")
      ->type_name("FILE");
  cmd.add_flag("--dry-run", o->dry_run, "Print each request (channel, redacted URL, body) instead of sending it");
  cmd.add_option("--stats", o->stats, "Summary: text on stderr, or json on stdout")->capture_default_str();
  cmd.add_option("--state", o->state,
                 "Open-alert state (SQLite): recoveries also go where their alert went; none turns it off")
      ->type_name("FILE|none")
      ->default_str("$XDG_STATE_HOME/cmrelay/state.db, else ~/.local/state/cmrelay/state.db");
  add_age(cmd, "--state-max-age", o->state_max_age, "Forget an open alert not seen for this long");
  add_shared_options(cmd, o->shared, true, "Budgets and the open-alert state kept");
  cmd.add_option("--rate", o->rate,
                 "With --url: pace requests, e.g. 100/s,1000/m (all windows apply), or none (default: Flashduty's "
                 "100/s,1000/m for a Flashduty push URL, none otherwise)")
      ->type_name("N/UNIT,...");
  CLI::Option* verbose = cmd.add_flag("-v,--verbose", o->verbose,
                                      "One line per attempt on stderr (status, request_id, the wait and why); -vv "
                                      "also each wait for the rate limit or a pause");
  cmd.add_flag("--quiet,-q", o->read.quiet, "Only the summary and fatal errors on stderr")->excludes(verbose);
  cmd.add_option("--log-format", o->log_format, "text, or json: the -v and dead-letter lines as JSON objects")
      ->capture_default_str();
  add_delivery_options(cmd, o->delivery);
  return [o] { return send(*o); };
}

}  // namespace cmrelay::cli
