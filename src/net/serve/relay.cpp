#include "net/serve/relay.h"

#include <fcntl.h>
#include <rapidjson/stringbuffer.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "net/deliver/engine.h"
#include "output/ndjson.h"
#include "vendors/volcengine.h"

namespace cmrelay::serve {
namespace {

constexpr size_t kMaxFilesInProgress = 1024;  // Files read ahead of delivery, at most.
constexpr int64_t kRescanMs = 1000;           // The spool is listed at least this often.

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double seconds_since(uint64_t ns) {
  auto now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  return ns == 0 || ns > now ? 0 : static_cast<double>(now - ns) / 1e9;
}

}  // namespace

Relay::Relay(RelayOptions options, Spool& spool, Seen& seen, Metrics& metrics, const Log& log,
             deliver::DeadLetterFile& dead_letter)
    : options_(std::move(options)),
      spool_(spool),
      seen_(seen),
      metrics_(metrics),
      log_(log),
      dead_letter_(dead_letter) {
  // No signal counter: on shutdown, what is not delivered stays in the spool (handed back)
  // instead of being dead-lettered.
  options_.delivery.forget_dead_lanes = true;
  sender_ = std::make_unique<deliver::Sender>(options_.delivery, dead_letter_, nullptr);
  deliver::SenderHooks hooks;
  hooks.on_done = [this](uint64_t id, const Channel& ch, bool delivered) { done(id, ch, delivered); };
  hooks.on_attempt = [this](const deliver::AttemptReport& r) { attempted(r); };
  sender_->set_hooks(std::move(hooks));
  make_pipeline(nullptr);
}

Relay::~Relay() = default;

void Relay::make_pipeline(const SeverityTable* severity) {
  PipelineOptions po;
  po.vendor = options_.vendor;
  po.max_body = options_.max_body;
  if (severity != nullptr) po.severity = *severity;
  po.on_reject = [this](const Record& rec, std::string_view reason) {
    reject_reason_ = std::string(reason);
    if (options_.smn != nullptr) options_.smn->offer(rec, reading_);
  };
  pipeline_ = std::make_unique<Pipeline>(std::move(po));
}

void Relay::use_routes(RouteTable routes) {
  if (!recall_) {
    recall_.emplace(options_.state, true);
    if (!options_.state_error.empty()) recall_->fail(options_.state_error);
  }
  tables_.push_back(std::move(routes));
  dispatches_.emplace_back(tables_.back(), &*recall_);
  make_pipeline(&tables_.back().severity());
}

void Relay::use_url(const std::string& url, const std::vector<Rate>& rates, bool rate_set) {
  url_channel_ = std::make_unique<Channel>();
  url_channel_->name = "url";
  url_channel_->url = url;
  url_channel_->rate = rates;
  url_channel_->rate_set = rate_set;
  dispatches_.emplace_back(*url_channel_);
}

void Relay::notify() {
  new_files_.store(true);
  sender_->wakeup();
}

// New files come from the spool's arrivals, with a listing at least every kRescanMs (a file
// copied in by hand, arrivals lost). While files wait untaken (the sender or the read-ahead
// full), nothing is listed until half the read-ahead is free: a backlog of thousands is then
// listed once per half, not at every flush.
void Relay::take_new() {
  if (behind_) {
    if (!sender_->full() && files_.size() <= kMaxFilesInProgress / 2) relist();
    return;
  }
  if (now_ms() - last_scan_ms_ >= kRescanMs) return relist();
  if (!new_files_.exchange(false)) return;
  std::vector<SpoolFile> files;
  if (!spool_.arrivals(files)) return relist();
  take_all(files);
}

void Relay::relist() {
  new_files_.store(false);
  last_scan_ms_ = now_ms();
  take_all(spool_.list(true));
}

void Relay::take_all(const std::vector<SpoolFile>& files) {
  behind_ = false;
  for (const SpoolFile& f : files) {
    if (sender_->full() || files_.size() >= kMaxFilesInProgress) {
      behind_ = true;  // The rest waits in the spool for the next listing.
      return;
    }
    if (taken_.count(f.name) == 0) take(f);
  }
}

void Relay::take(const SpoolFile& f) {
  uint64_t id = next_id_++;
  File& file = files_[id];
  file.spool = f;
  file.reading = true;
  taken_.insert(f.name);
  std::string path = spool_.path(f.name);
  int fd = spool_.open_file(f.name);
  if (fd < 0 && errno == ENOENT) {
    // Gone since it was named (removed by hand, or its flush failed and its sender was
    // answered 503): nothing to deliver, nothing kept.
    taken_.erase(f.name);
    files_.erase(id);
    return;
  }
  if (fd < 0) {
    // Left in the spool (and taken, so said once, not at every scan) for the next start.
    log_.write("spool", {{"file", f.name},
                         {"error", std::string("cannot open: ") + std::strerror(errno) + "; kept in the spool"}});
    files_.erase(id);
    return;
  }
  reject_reason_.clear();
  reading_ = f.name;
  const uint64_t unreadable_before = pipeline_->counts().unreadable;
  rapidjson::StringBuffer sb;
  pipeline_->read_source(fd, path, [&](const Record& rec, const Detection&, EventBatch& events) {
    std::string key = dedup_key(volc::trace_id(rec), rec.body);
    if (duplicate(key, f)) return;
    file.keys.push_back(key);
    for (const Event& e : events) route_event(id, file, e, sb);
  });
  ::close(fd);
  file.unreadable = pipeline_->counts().unreadable != unreadable_before;
  file.reject_reason = reject_reason_;
  file.reading = false;
  finish_if_done(id);
}

bool Relay::duplicate(const std::string& key, const SpoolFile& f) {
  if (seen_.check_and_begin(key)) {
    metrics_.duplicate();
    log_.write("duplicate", {{"file", f.name}, {"key", key}});
    return true;
  }
  if (options_.shared_seen == nullptr) return false;
  bool elsewhere = false;
  try {
    elsewhere = options_.shared_seen->taken_elsewhere(key, f.name);
  } catch (const state::Unavailable&) {
    return false;  // Redis away (said once by the link): delivered; at least once, never lost.
  } catch (const state::StateError& x) {
    // An error reply (no outage): said once; asked again at the next request.
    if (!shared_seen_said_) log_.write("shared", {{"error", x.what()}, {"dedup", "per host while this lasts"}});
    shared_seen_said_ = true;
    return false;
  }
  if (!elsewhere) return false;
  seen_.finish(key);  // Known here too, and forgotten with the window.
  metrics_.duplicate(true);
  log_.write("duplicate", {{"file", f.name}, {"key", key}, {"seen", "fleet"}});
  return true;
}

// Routed before it is written: a recovery may take its alert's remembered severity.
void Relay::route_event(uint64_t id, File& file, Event e, rapidjson::StringBuffer& sb) {
  Handed h{id, dispatches_.back().route(e, channels_), 0};
  sb.Clear();
  append_event_json(e, sb);
  std::string_view body(sb.GetString(), sb.GetSize());
  if (channels_.empty()) {
    unrouted(e, body);
    return;
  }
  auto shared = std::make_shared<const std::string>(body);
  const uint64_t tag = next_tag_++;
  h.left = channels_.size();
  handed_[tag] = h;
  file.pending += channels_.size();  // Before submitting: an event may end inside submit().
  for (const Channel* ch : channels_) sender_->submit(shared, e.alert_key, *ch, tag);
}

// An event no case routes anywhere is dead-lettered as such (channel ""), so that it is
// accounted for and a replay with `send --routes` routes it again.
void Relay::unrouted(const Event& e, std::string_view body) {
  deliver::dead_letter_unrouted(dead_letter_, body);  // One that fails is on stderr (the record in full).
  metrics_.unrouted();
  log_.write("event", {{"alert_key", e.alert_key}, {"outcome", "unrouted"}});
}

void Relay::done(uint64_t tag, const Channel& channel, bool delivered) {
  auto h = handed_.find(tag);
  if (h == handed_.end()) return;
  const uint64_t id = h->second.file;
  if (recall_) recall_->done(h->second.token, channel, delivered);
  if (--h->second.left == 0) handed_.erase(h);
  auto it = files_.find(id);
  if (it == files_.end()) return;
  metrics_.ended(channel.name, delivered, seconds_since(arrival_ns(it->second.spool.name)));
  --it->second.pending;
  finish_if_done(id);
}

void Relay::attempted(const deliver::AttemptReport& r) {
  metrics_.attempt(r.channel->name, r.attempt > 1);
  auto h = handed_.find(r.tag);
  auto it = h == handed_.end() ? files_.end() : files_.find(h->second.file);
  LogFields f{{"channel", r.channel->name},
              {"url", r.channel->url},
              {"attempt", std::to_string(r.attempt)},
              {"status", std::to_string(r.http_status)},
              {"ms", std::to_string(r.took.count())}};
  if (it != files_.end()) f.emplace_back("file", it->second.spool.name);
  if (!r.request_id.empty()) f.emplace_back("request_id", std::string(r.request_id));
  f.emplace_back("outcome", r.delivered ? "delivered" : "failed");
  if (!r.error.empty()) f.emplace_back("error", std::string(r.error));
  log_.write("attempt", f);
}

void Relay::finish_if_done(uint64_t id) {
  auto it = files_.find(id);
  File& file = it->second;
  if (file.reading || file.pending > 0) return;
  if (file.unreadable) {
    // Never removed unread: it stays in the spool (and taken, so not re-read in a loop)
    // for the next start, when the disk may read it again.
    log_.write("spool", {{"file", file.spool.name}, {"error", "could not be read to its end; kept in the spool"}});
    files_.erase(it);
    return;
  }
  if (!file.reject_reason.empty()) {
    metrics_.rejected();
    log_.write("rejected", {{"file", file.spool.name}, {"reason", file.reject_reason}});
    if (!spool_.reject(file.spool, file.reject_reason)) return;  // Kept (and still taken): said on stderr.
  } else {
    for (const std::string& key : file.keys) seen_.finish(key);
    spool_.remove(file.spool);
  }
  taken_.erase(file.spool.name);
  files_.erase(it);
}

}  // namespace cmrelay::serve
