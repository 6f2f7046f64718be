// cmrelay send: read and convert like convert, then deliver every event to its channels.
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <thread>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cli/commands.h"
#include "cli/read.h"
#include "cli/send_report.h"
#include "deliver/deadletter.h"
#include "deliver/inbox.h"
#include "route/redact.h"
#include "output/ndjson.h"
#include "vendors/flashduty.h"

namespace cmrelay::cli {
namespace {

std::atomic<int> g_signals{0};
std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  // Reading standard input from now on sees its end instead of waiting for more (done
  // before the flags, so whoever sees them knows it is done).
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  g_signals.fetch_add(1);
  g_stop.store(true);
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
}

// An http or https URL libcurl can parse; else why not (the URL itself redacted).
bool check_url(const std::string& url, std::string& why) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* scheme = nullptr;
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
  bool ok = rc == CURLUE_OK && (std::string_view(scheme) == "http" || std::string_view(scheme) == "https");
  if (!ok) {
    why = redact_url(url) + ": " +
          (rc != CURLUE_OK ? std::string(curl_url_strerror(rc)) : std::string("only http and https are supported"));
  }
  curl_free(scheme);
  curl_url_cleanup(u);
  return ok;
}

// --dry-run: {"channel":NAME,"url":REDACTED,"body":EVENT}
void write_dry_run(NdjsonWriter& out, const Channel& ch, std::string_view body) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  std::string url = redact_url(ch.url);
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
// dead-letter record goes back to the channel it names when the route file has it.
class Destinations {
 public:
  Destinations(const RouteTable* routes, const Channel* url_channel) : routes_(routes), url_channel_(url_channel) {}

  // Sets out to the event's channels; when there are none, says so on stderr.
  void pick(const Record& rec, const Detection& d, const Event& e, std::vector<const Channel*>& out) {
    out.clear();
    if (routes_ == nullptr) {
      out.push_back(url_channel_);
      return;
    }
    if (d.format == &flashduty::kDeadLetterFormat) {
      std::string name = deliver::dead_letter_channel(rec.body);
      for (const Channel& c : routes_->channels()) {
        if (c.name == name) {
          out.push_back(&c);
          return;
        }
      }
    }
    routes_->route(e, out);
    if (out.empty()) {
      ++unrouted_;
      std::fprintf(stderr, "cmrelay: %.*s:%llu: event %s routed to no channel\n", static_cast<int>(rec.source.size()),
                   rec.source.data(), static_cast<unsigned long long>(rec.index), e.alert_key.c_str());
    }
  }

  uint64_t unrouted() const { return unrouted_; }

 private:
  const RouteTable* routes_;
  const Channel* url_channel_;
  std::atomic<uint64_t> unrouted_{0};
};

// Calls f(event, body, channels) for every event the pipeline reads, body its Flashduty
// JSON.
template <class F>
void read_events(Pipeline& pipeline, const SendOptions& o, Destinations& where, F&& f) {
  rapidjson::StringBuffer sb;
  std::vector<const Channel*> channels;
  pipeline.run(
      o.read.paths,
      [&](const Record& rec, const Detection& d, EventBatch& events) {
        for (const Event& e : events) {
          where.pick(rec, d, e, channels);
          sb.Clear();
          append_event_json(e, sb);
          f(e, std::string_view(sb.GetString(), sb.GetSize()), channels);
        }
      },
      &g_stop);
}

void dry_run(Pipeline& pipeline, const SendOptions& o, Destinations& where) {
  NdjsonWriter out(stdout, false);
  read_events(pipeline, o, where, [&](const Event&, std::string_view body, const std::vector<const Channel*>& channels) {
    for (const Channel* ch : channels) write_dry_run(out, *ch, body);
  });
  out.flush();
}

// Reads on a second thread, so that requests progress while input is slow to come, and
// delivers on this one. False when a second signal left the reading thread blocked (on a
// FIFO named as a PATH): the caller must then end the process without unwinding.
bool send_all(Pipeline& pipeline, const SendOptions& o, Destinations& where, deliver::Sender& sender) {
  constexpr size_t kInboxCapacity = 1024;
  constexpr int kTickMs = 100;  // Signals are seen at least this often.
  deliver::Inbox inbox(kInboxCapacity, [&] { sender.wakeup(); });
  std::atomic<bool> reading{true};
  std::thread reader([&] {
    read_events(pipeline, o, where, [&](const Event& e, std::string_view body, const std::vector<const Channel*>& to) {
      if (!to.empty()) inbox.push({std::make_shared<const std::string>(body), e.alert_key, to});
    });
    reading.store(false);
    inbox.close();
  });
  std::deque<deliver::Outgoing> taken;
  bool more = true;
  while (more || sender.queued() > 0) {
    if (g_signals.load() > 0) {
      inbox.release();
      if (reading.load()) pthread_kill(reader.native_handle(), SIGUSR1);
    }
    if (more && !sender.full()) {
      more = inbox.take(taken);
      for (const deliver::Outgoing& item : taken) {
        for (const Channel* ch : item.channels) sender.submit(item.body, item.alert_key, *ch);
      }
      taken.clear();
      if (!more && sender.queued() == 0) break;
    }
    if (g_signals.load() > 1 && sender.queued() == 0 && reading.load()) {
      reader.detach();  // Exit at once: whatever it would still read was never taken.
      return false;
    }
    sender.poll(kTickMs);
  }
  reader.join();
  return true;
}

// True when path is one of the input files (the same file, by device and inode).
bool is_an_input(const std::string& path, const std::vector<std::string>& inputs) {
  struct stat target {};
  if (path.empty() || ::stat(path.c_str(), &target) != 0) return false;
  for (const std::string& input : inputs) {
    struct stat st {};
    if (::stat(input.c_str(), &st) == 0 && st.st_dev == target.st_dev && st.st_ino == target.st_ino) return true;
  }
  return false;
}

bool check_options(const SendOptions& o) {
  std::string why;
  if (o.url.empty() == o.routes_path.empty()) {
    why = "send needs one of --routes FILE and --url URL";
  } else if (!o.url.empty() && !check_url(o.url, why)) {
    why = "--url " + why;
  } else if (o.stats != "text" && o.stats != "json") {
    why = "--stats must be text or json, not '" + o.stats + "'";
  } else if (o.delivery.concurrency < 1) {
    why = "--concurrency must be at least 1";
  } else if (o.delivery.max_attempts < 1) {
    why = "--max-attempts must be at least 1";
  } else if (o.delivery.timeout.count() <= 0 || o.delivery.connect_timeout.count() <= 0 ||
             o.delivery.max_elapsed.count() <= 0) {
    why = "--timeout, --connect-timeout and --max-elapsed must be at least 0.001 seconds";
  } else if (!o.delivery.cacert.empty() && ::access(o.delivery.cacert.c_str(), R_OK) != 0) {
    why = "--cacert " + o.delivery.cacert + ": cannot read: " + std::strerror(errno);
  } else if (is_an_input(o.dead_letter_path, o.read.paths)) {
    why = "--dead-letter " + o.dead_letter_path +
          " is also an input: replaying it would read its own new records (move it aside first)";
  }
  if (why.empty()) return true;
  std::fprintf(stderr, "cmrelay: %s\n", why.c_str());
  return false;
}

// Every channel's URL must be one libcurl can POST to.
bool check_channels(const RouteTable& routes) {
  std::string why;
  for (const Channel& c : routes.channels()) {
    if (check_url(c.url, why)) continue;
    std::fprintf(stderr, "cmrelay: %s: channel %s: %s\n", routes.path().c_str(), c.name.c_str(), why.c_str());
    return false;
  }
  return true;
}

}  // namespace

int send(const SendOptions& o) {
  if (!check_options(o)) return kUsage;
  std::optional<RouteTable> routes;
  if (!o.routes_path.empty() && (!(routes = load_routes(o.routes_path)) || !check_channels(*routes))) return kUsage;
  auto pipeline = make_pipeline(o.read, true, routes ? &routes->severity() : nullptr);
  if (!pipeline) return kUsage;
  deliver::DeadLetterFile dead_letter;
  std::string error;
  if (!o.dry_run && !dead_letter.open(o.dead_letter_path, error)) {
    std::fprintf(stderr, "cmrelay: %s\n", error.c_str());
    return kUsage;
  }
  Channel url_channel;
  url_channel.name = "url";
  url_channel.url = o.url;
  Destinations where(routes ? &*routes : nullptr, &url_channel);

  catch_signals();
  deliver::Sender sender(o.delivery, dead_letter, &g_signals);
  bool joined = true;
  if (o.dry_run) {
    dry_run(*pipeline, o, where);
  } else {
    joined = send_all(*pipeline, o, where, sender);
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
  int status = add_up(sender.stats()).dead_lettered > 0 ? kUndelivered : counts.rejected > 0 ? kRejected : kOk;
  if (!joined) {
    std::fflush(nullptr);
    std::_Exit(status);  // The reading thread still holds the pipeline.
  }
  return status;
}

}  // namespace cmrelay::cli
