// cmrelay send: read and convert like convert, then deliver every event to its channels.
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <functional>
#include <optional>
#include <thread>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cli/check_url.h"
#include "cli/commands.h"
#include "cli/read.h"
#include "cli/send_report.h"
#include "cli/url_option.h"
#include "deliver/cacert.h"
#include "deliver/deadletter.h"
#include "deliver/inbox.h"
#include "deliver/tls.h"
#include "input/sources.h"
#include "deliver/recall.h"
#include "text/url_redact.h"
#include "output/ndjson.h"
#include "output/progress.h"
#include "text/escape.h"
#include "vendors/flashduty.h"

namespace cmrelay::cli {
namespace {

std::atomic<int> g_signals{0};
std::atomic<int> g_first_signal{0};
std::atomic<bool> g_stop{false};

extern "C" void on_signal(int sig) {
  const int saved_errno = errno;
  // Reading standard input from now on sees its end instead of waiting for more (done
  // before the flags, so whoever sees them knows it is done). fd 0 is always standard input
  // here: main() opens /dev/null on any of 0-2 that was closed, so no file of ours sits there.
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  int none = 0;
  g_first_signal.compare_exchange_strong(none, sig);
  g_signals.fetch_add(1);
  g_stop.store(true);
  errno = saved_errno;
}

// SIGUSR1 only interrupts the reading thread's blocked read() (EINTR), which then reads
// the /dev/null now behind standard input.
extern "C" void on_wake(int) {}

void catch_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_wake;
  sigaction(SIGUSR1, &sa, nullptr);
  // A closed stderr or dead-letter pipe must not kill the run with events in flight: writes
  // fail with EPIPE instead, and delivery goes on.
  ::signal(SIGPIPE, SIG_IGN);
}

// --dry-run: {"channel":NAME,"url":REDACTED,"body":EVENT}
void write_dry_run(NdjsonWriter& out, const Channel& ch, std::string_view body) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  std::string url = redact_url(ch.url, ch.redact);
  w.StartObject();
  w.Key("channel");
  w.String(ch.name.c_str());
  w.Key("url");
  w.String(url.c_str());
  w.Key("body");
  w.RawValue(body.data(), body.size(), rapidjson::kObjectType);
  w.EndObject();
  out.write_line(std::string_view(sb.GetString(), sb.GetSize()));
}

// Where each event goes: the --url channel, or where the route file routes it. A
// dead-letter record replayed with --replay goes back to the channel it names when the
// route file has it (pick_channels, as convert --routes and routes test report it).
class Destinations {
 public:
  Destinations(const RouteTable* routes, const Channel* url_channel, Recall* recall)
      : routes_(routes), url_channel_(url_channel), recall_(recall) {}

  // Sets out to the event's channels (a recovery's include where its alert went); when there
  // are none, says so on stderr. Returns the state's token for the sender.
  uint64_t pick(const Record& rec, const Detection& d, Event& e, std::vector<const Channel*>& out) {
    out.clear();
    if (routes_ == nullptr) {
      out.push_back(url_channel_);
      return 0;
    }
    std::string name;
    if (d.format == &flashduty::kDeadLetterFormat) {  // Only from --replay (the pipeline says so).
      std::string replayed;
      pick_channels(*routes_, d, rec, e, out, &replayed);
      if (!replayed.empty()) return recall_->note(e, out);  // Back to the channel its record names.
      name = flashduty::dead_letter_channel(rec.body);       // No longer declared: routed afresh.
    }
    uint64_t token = recall_->route(e, out);
    if (out.empty()) {
      // The caller dead-letters it: an event is delivered or dead-lettered, never dropped.
      ++unrouted_;
      std::string was = name.empty() ? "" : " (its record's channel '" + text::escape(name) + "' is not in the route file)";
      std::fprintf(stderr, "cmrelay: %s:%llu: event %s routed to no channel%s; dead-lettered\n",
                   text::escape(rec.source).c_str(), static_cast<unsigned long long>(rec.index),
                   text::escape(e.alert_key).c_str(), was.c_str());
    }
    return token;
  }

  uint64_t unrouted() const { return unrouted_; }

 private:
  const RouteTable* routes_;
  const Channel* url_channel_;
  Recall* recall_;
  std::atomic<uint64_t> unrouted_{0};
};

// Calls f(event, body, channels, token) for every event the pipeline reads, body its
// Flashduty JSON. bodies, when given, counts the bodies read (for the progress line).
template <class F>
// in_body, when given, is true while one body's events are being handed to f.
void read_events(Pipeline& pipeline, const SendOptions& o, Destinations& where, F&& f,
                 std::atomic<uint64_t>* bodies = nullptr, std::atomic<bool>* in_body = nullptr) {
  rapidjson::StringBuffer sb;
  std::vector<const Channel*> channels;
  read_inputs(
      pipeline, o.read,
      [&](const Record& rec, const Detection& d, EventBatch& events) {
        if (bodies != nullptr) bodies->fetch_add(1, std::memory_order_relaxed);
        if (in_body != nullptr) in_body->store(true);
        for (Event& e : events) {
          uint64_t token = where.pick(rec, d, e, channels);
          sb.Clear();
          append_event_json(e, sb);
          f(e, std::string_view(sb.GetString(), sb.GetSize()), channels, token);
        }
        if (in_body != nullptr) in_body->store(false);
      },
      &g_stop);
}

// False when standard output could not be written.
bool dry_run(Pipeline& pipeline, const SendOptions& o, Destinations& where) {
  NdjsonWriter out(stdout, false);
  read_events(pipeline, o, where, [&](const Event&, std::string_view body, const std::vector<const Channel*>& channels,
                                      uint64_t) {
    for (const Channel* ch : channels) write_dry_run(out, *ch, body);
    if (out.failed()) g_stop.store(true);  // Nothing more can be printed: stop reading.
  });
  return out.flush() && flush_stdout();
}

// An event routed to no channel: one dead-letter record with an empty channel (a replay
// routes it again). False when the file did not take it (then it is on stderr).
bool dead_letter_unrouted(deliver::DeadLetterFile& dead_letter, const std::string& event_json) {
  deliver::DeadLetter d;
  d.time = static_cast<int64_t>(std::time(nullptr));
  d.error = "routed to no channel";
  d.event_json = event_json;
  return dead_letter.write(deliver::format_dead_letter(d)) || dead_letter.is_stderr();
}

// What the reading thread and the delivery loop share. Held by shared_ptr: after a second
// signal the reading thread may be left blocked on a FIFO, and must find it alive.
struct HandOver {
  explicit HandOver(std::function<void()> notify) : inbox(1024, std::move(notify)) {}
  deliver::Inbox inbox;
  std::mutex handing;           // Held while one event is handed over.
  bool sealed = false;          // Under handing: nothing more is handed over.
  uint64_t not_handed = 0;      // Under handing: events converted after the seal.
  std::atomic<bool> reading{true};
  std::atomic<uint64_t> bodies{0};  // Read so far (recognised ones).
  std::atomic<bool> in_body{false};  // The reader is handing over one body's events.
};

// Reads on a second thread, so that requests progress while input is slow to come, and
// delivers on this one. False when a second signal left the reading thread blocked (on a
// FIFO named as a PATH): the caller must then end the process without unwinding.
bool send_all(Pipeline& pipeline, const SendOptions& o, Destinations& where, deliver::Sender& sender,
              deliver::DeadLetterFile& dead_letter, uint64_t& not_handed, uint64_t& unrouted_failed,
              ProgressLine& progress) {
  constexpr int kTickMs = 100;  // Signals are seen at least this often.
  auto shared = std::make_shared<HandOver>([&sender] { sender.wakeup(); });
  std::thread reader([shared, &pipeline, &o, &where] {
    read_events(pipeline, o, where, [&](const Event& e, std::string_view body, const std::vector<const Channel*>& to,
                                        uint64_t token) {
      std::lock_guard<std::mutex> lock(shared->handing);
      if (shared->sealed) {
        ++shared->not_handed;
        return;
      }
      shared->inbox.push({std::make_shared<const std::string>(body), e.alert_key, to, token});
    }, &shared->bodies, &shared->in_body);
    shared->reading.store(false);
    shared->inbox.close();
  });
  std::deque<deliver::Outgoing> taken;
  auto submit_taken = [&] {
    for (const deliver::Outgoing& item : taken) {
      if (item.channels.empty() && !dead_letter_unrouted(dead_letter, *item.body)) ++unrouted_failed;
      for (const Channel* ch : item.channels) sender.submit(item.body, item.alert_key, *ch, item.token);
    }
    taken.clear();
  };
  auto counts = [&] {
    std::lock_guard<std::mutex> lock(shared->handing);
    not_handed = shared->not_handed;
  };
  // The progress line, redrawn at most this often.
  constexpr auto kRedraw = std::chrono::milliseconds(250);
  const auto began = std::chrono::steady_clock::now();
  auto drawn = began;
  auto redraw = [&] {
    auto now = std::chrono::steady_clock::now();
    if (!progress.active() || now - drawn < kRedraw) return;
    drawn = now;
    progress.show(progress_text(shared->bodies.load(), sender.progress(), std::chrono::duration<double>(now - began).count()));
  };
  bool more = true;
  while (more || sender.queued() > 0) {
    redraw();
    if (g_signals.load() > 0) {
      shared->inbox.release();
      if (shared->reading.load()) pthread_kill(reader.native_handle(), SIGUSR1);
    }
    if (g_signals.load() > 1 && shared->reading.load()) {
      // Exit at once, but first take (and so dead-letter) every event already handed over:
      // under the lock, nothing is mid-way, and nothing more comes after the seal.
      {
        std::lock_guard<std::mutex> lock(shared->handing);
        shared->sealed = true;
        shared->inbox.take(taken);
      }
      submit_taken();
      while (sender.queued() > 0) sender.poll(kTickMs);
      // The rest of the body being handed over is only counted (not_handed), which takes
      // the reader microseconds; wait for that, boundedly, so that the count is whole.
      for (int i = 0; i < 100 && shared->in_body.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      counts();
      progress.clear();
      reader.detach();
      return false;
    }
    if (more && !sender.full()) {
      more = shared->inbox.take(taken);
      submit_taken();
      if (!more && sender.queued() == 0) break;
    }
    sender.poll(kTickMs);
  }
  reader.join();
  counts();
  progress.clear();
  return true;
}

// Both paths name one existing file.
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return !a.empty() && !b.empty() && ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool check_options(SendOptions& o) {
  std::string why;
  if (!resolve_url(o, why)) {
    std::fprintf(stderr, "cmrelay: %s\n", why.c_str());
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
  }
  if (why.empty()) return true;
  std::fprintf(stderr, "cmrelay: %s\n", why.c_str());
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
  std::fprintf(stderr, "cmrelay: no CA certificates found (%s): install ca-certificates or pass --cacert\n",
               problem.c_str());
  return false;
}

}  // namespace

int send(const SendOptions& options) {
  SendOptions o = options;  // The URL filled in from --url-file or --url-env.
  if (!check_options(o)) return kUsage;
  std::optional<RouteTable> routes;
  if (!o.routes_path.empty() && (!(routes = load_routes(o.routes_path)) || !check_route_channels(*routes))) return kUsage;
  if (!check_ca(o, routes ? &*routes : nullptr)) return kUsage;
  auto pipeline = make_pipeline(o.read, true, routes ? &routes->severity() : nullptr);
  if (!pipeline) return kUsage;
  deliver::DeadLetterFile dead_letter;
  std::string error;
  if (!o.dry_run && !dead_letter.open(o.dead_letter_path, error)) {
    std::fprintf(stderr, "cmrelay: %s\n", error.c_str());
    return kUsage;
  }
  // Checked once the file exists, against every file the inputs expand to.
  if (is_an_input(o.dead_letter_path, o.read)) {
    std::fprintf(stderr,
                 "cmrelay: --dead-letter %s is also an input: replaying it would read its own new records "
                 "(keep it outside the input paths)\n",
                 o.dead_letter_path.c_str());
    return kUsage;
  }
  if (same_file(o.dead_letter_path, o.read.reject_path)) {
    // Dead-letter records would land inside a streamed reject record, and a replay would
    // read the reject records as input.
    std::fprintf(stderr, "cmrelay: --reject and --dead-letter must be different files\n");
    return kUsage;
  }
  Channel url_channel;
  url_channel.name = "url";
  url_channel.url = o.url;
  // The open-alert state: a state that cannot be used is said once, and every event is
  // still delivered by its route (exit 8).
  std::string state_error;
  std::unique_ptr<state::Store> store;
  if (routes) store = open_state(o.state, o.state_max_age, o.dry_run, state_error);
  std::optional<Recall> recall;
  if (routes) recall.emplace(*routes, store.get(), !o.dry_run);
  if (!state_error.empty()) recall->fail(state_error);
  if (!o.rate.empty()) {
    std::string why;  // Checked by check_options().
    url_channel.rate_set = check_rate_option(o.rate, true, url_channel.rate, why);
  }
  deliver::DeliveryOptions delivery = o.delivery;
  delivery.verbosity = o.read.quiet ? -1 : o.verbose;
  delivery.log_json = o.log_format == "json";
  Destinations where(routes ? &*routes : nullptr, &url_channel, recall ? &*recall : nullptr);

  catch_signals();
  // Only on a terminal, and not with --quiet; cleared before every other line the sender writes.
  ProgressLine progress(!o.read.quiet && !o.dry_run);
  delivery.before_line = [&progress] { progress.clear(); };
  deliver::Sender sender(delivery, dead_letter, &g_signals);
  if (recall) {
    deliver::SenderHooks hooks;
    hooks.on_done = [&recall](uint64_t token, const Channel& ch, bool delivered) { recall->done(token, ch, delivered); };
    sender.set_hooks(std::move(hooks));
  }
  bool joined = true;
  uint64_t not_handed = 0, unrouted_failed = 0;
  Outcomes outcomes;
  if (o.dry_run) {
    outcomes.add(kOutputFailed, !dry_run(*pipeline, o, where));
  } else {
    joined = send_all(*pipeline, o, where, sender, dead_letter, not_handed, unrouted_failed, progress);
  }

  const PipelineCounts& counts = pipeline->counts();
  SendSummary summary{counts, where.unrouted(), sender.stats(), g_signals.load() > 0, o.dead_letter_path};
  if (o.dry_run) {
    std::fprintf(stderr, "cmrelay: send: dry run: %llu events read, %llu rejected, nothing sent\n",
                 static_cast<unsigned long long>(counts.events), static_cast<unsigned long long>(counts.rejected));
  } else if (o.stats == "json") {
    report_json(summary);
  } else {
    report_text(summary);
  }
  if (!o.dry_run) say_unsaid(counts);
  if (not_handed > 0) {
    std::fprintf(stderr,
                 "cmrelay: send: %llu events converted after the second signal were not sent; their bodies are "
                 "still in the input\n",
                 static_cast<unsigned long long>(not_handed));
  }
  // An interrupted run may have input left unread: 128 + the signal, as shells report it, so
  // that no script takes the input for handled.
  const Totals totals = add_up(sender.stats());
  if (o.stats == "json" && !o.dry_run) outcomes.add(kOutputFailed, !flush_stdout());
  add_read_outcomes(counts, outcomes);
  const bool dead_failed = totals.dead_letter_failed > 0 || unrouted_failed > 0;
  outcomes.add(kRecordWriteFailed, dead_failed);
  outcomes.add(kUndelivered, totals.dead_lettered > 0);
  outcomes.add(kUnrouted, where.unrouted() > 0);
  outcomes.add(kStateFailed, recall && recall->failed());
  if (o.read.remove_done && joined) remove_done(*pipeline, refuse_removal(o, outcomes, totals, dead_failed));
  if (o.read.remove_done && !joined) {
    std::fprintf(stderr, "cmrelay: --remove-done: no input removed: a second signal abandoned the reading\n");
  }
  const int first_signal = g_first_signal.load();
  const int status = first_signal != 0 ? 128 + first_signal : outcomes.status();
  if (!joined) {
    std::fflush(nullptr);
    std::_Exit(status);  // The reading thread still holds the pipeline.
  }
  return status;
}

}  // namespace cmrelay::cli
