#include "deliver/sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <deque>
#include <functional>
#include <queue>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "deliver/backoff.h"
#include "deliver/outcome.h"
#include "route/redact.h"
#include "text/escape.h"

namespace cmrelay::deliver {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxResponse = size_t{64} * 1024;  // Enough for any error body; the rest is skipped.
constexpr std::string_view kEarlierDead = "an earlier event of this alert_key was dead-lettered";
constexpr std::string_view kElapsed = "--max-elapsed reached";

struct Job {
  std::shared_ptr<const std::string> body;
  size_t channel = 0;  // Index into the sender's channel tables.
  std::string lane;    // Events of one lane go one at a time, in order.
  bool keyed = false;  // The lane is a (channel, alert_key); else the event's own.
  uint64_t tag = 0;    // The caller's, reported back by the hooks.
  int attempts = 0;
  Clock::time_point first{};
  Clock::time_point started{};  // Of the attempt in flight.
  Outcome last;
  std::string response;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* easy = nullptr;  // Set while an attempt is in flight.
};

size_t on_response(char* data, size_t size, size_t n, void* user) {
  auto* job = static_cast<Job*>(user);
  size_t len = size * n;
  if (job->response.size() < kMaxResponse) job->response.append(data, std::min(len, kMaxResponse - job->response.size()));
  return len;
}

struct Waiting {
  Clock::time_point due;
  uint64_t seq;  // Keeps equal due times first-in first-out.
  Job* job;
  bool operator>(const Waiting& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

int64_t ms_until(Clock::time_point t, Clock::time_point now) {
  return std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(t - now).count());
}

}  // namespace

struct Sender::Impl {
  struct ChannelSlot {
    const Channel* channel;
    curl_slist* headers = nullptr;
    std::vector<std::string> secrets;  // Masked in whatever the server sends back.
  };

  DeliveryOptions options;
  DeadLetterFile& dead_letter;
  const std::atomic<int>* signals;
  CURLM* multi = nullptr;
  std::vector<CURL*> idle;
  std::vector<ChannelSlot> channels;
  std::vector<ChannelStats> stats;
  std::unordered_map<const Channel*, size_t> channel_index;
  std::unordered_map<std::string, std::deque<std::unique_ptr<Job>>> lanes;
  // Keyed lanes with a dead-lettered event: the rest of their events follow it there, so
  // that replaying the file keeps their order (a recovery never lands before its firing).
  std::unordered_set<std::string> dead_lanes;
  std::vector<Clock::time_point> paused_until;  // Per channel: a Retry-After's end.
  std::deque<Job*> ready;
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<Waiting>> waiting;
  uint64_t seq = 0;
  size_t queued = 0;  // Jobs not yet delivered or dead-lettered.
  size_t in_flight = 0;
  bool abandoned = false;  // After the first signal: only in-flight attempts remain.
  SenderHooks hooks;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(DeliveryOptions o, DeadLetterFile& dl, const std::atomic<int>* s) : options(std::move(o)), dead_letter(dl), signals(s) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max<size_t>(options.concurrency, 1)));
  }

  ~Impl() {
    for (auto& [name, lane] : lanes) {
      for (auto& job : lane) {
        if (job->easy) {
          curl_multi_remove_handle(multi, job->easy);
          curl_easy_cleanup(job->easy);
        }
      }
    }
    for (CURL* h : idle) curl_easy_cleanup(h);
    for (ChannelSlot& c : channels) curl_slist_free_all(c.headers);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
  }

  int signal_count() const { return signals ? signals->load() : 0; }

  size_t slot_for(const Channel& ch) {
    auto [it, added] = channel_index.emplace(&ch, channels.size());
    if (!added) return it->second;
    curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");  // No 100-continue round trip.
    std::string line;
    for (const auto& [name, value] : ch.headers) {
      line.assign(name).append(": ").append(value);
      h = curl_slist_append(h, line.c_str());
    }
    channels.push_back({&ch, h, channel_secrets(ch)});
    paused_until.emplace_back();
    ChannelStats s;
    s.name = ch.name;
    s.url = redact_url(ch.url, ch.redact);
    stats.push_back(std::move(s));
    return it->second;
  }

  void submit(std::shared_ptr<const std::string> body, std::string_view alert_key, const Channel& ch, uint64_t tag) {
    auto job = std::make_unique<Job>();
    job->body = std::move(body);
    job->tag = tag;
    job->channel = slot_for(ch);
    job->lane = std::to_string(job->channel);
    job->lane += '\n';
    if (alert_key.empty()) {
      job->lane += "\n#" + std::to_string(seq++);  // No key: nothing to keep in order with.
    } else {
      job->lane.append(alert_key);
      job->keyed = true;
    }
    ++stats[job->channel].events;
    if (job->keyed && dead_lanes.count(job->lane) > 0) {
      bury(job.get(), kEarlierDead);
      return;
    }
    // Interrupted: nothing new is attempted. (Behind an event of its lane still in flight,
    // it is dead-lettered after that one, by finish().)
    if (signal_count() > 0 && lanes.count(job->lane) == 0) {
      bury(job.get(), "interrupted before a first attempt");
      return;
    }
    ++queued;
    auto& lane = lanes[job->lane];
    Job* raw = job.get();
    lane.push_back(std::move(job));
    if (lane.size() == 1) ready.push_back(raw);
  }

  void start(Job* job, Clock::time_point now) {
    CURL* h;
    if (idle.empty()) {
      h = curl_easy_init();
    } else {
      h = idle.back();
      idle.pop_back();
    }
    const ChannelSlot& slot = channels[job->channel];
    if (job->attempts == 0) job->first = now;
    job->started = now;
    ++job->attempts;
    ++stats[job->channel].attempts;
    job->response.clear();
    job->errbuf[0] = '\0';
    job->easy = h;
    auto timeout = slot.channel->timeout.count() > 0 ? slot.channel->timeout : options.timeout;
    // An attempt never runs past the event's total deadline (which is still ahead: see
    // start_ready()).
    int64_t left = ms_until(job->first + options.max_elapsed, now);
    long timeout_ms = static_cast<long>(std::clamp<int64_t>(left, 1, timeout.count()));
    curl_easy_setopt(h, CURLOPT_URL, slot.channel->url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, slot.headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(job->body->size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, job->body->data());
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cmrelay/" CMRELAY_VERSION);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.cacert.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.cacert.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_response);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, job);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, job->errbuf);
    curl_easy_setopt(h, CURLOPT_PRIVATE, job);
    curl_multi_add_handle(multi, h);
    ++in_flight;
  }

  void release(Job* job) {
    curl_multi_remove_handle(multi, job->easy);
    idle.push_back(job->easy);
    job->easy = nullptr;
    --in_flight;
  }

  // The job is done: the next of its lane becomes ready. When it was dead-lettered, the
  // rest of a keyed lane is dead-lettered behind it, now and for the rest of the run; after
  // a signal, the rest of the lane too (behind it, so the file keeps the input order).
  void finish(Job* job, bool dead) {
    auto it = lanes.find(job->lane);
    bool poison = dead && job->keyed;
    if (poison) dead_lanes.insert(job->lane);
    it->second.pop_front();  // Destroys job.
    --queued;
    auto& lane = it->second;
    while ((poison || abandoned) && !lane.empty()) {
      bury(lane.front().get(), poison ? kEarlierDead : "interrupted");
      lane.pop_front();
      --queued;
    }
    if (lane.empty()) {
      if (options.forget_dead_lanes) dead_lanes.erase(it->first);
      lanes.erase(it);
    } else {
      ready.push_back(lane.front().get());
    }
  }

  void bury(Job* job, std::string_view why) {
    const ChannelSlot& slot = channels[job->channel];
    ChannelStats& st = stats[job->channel];
    // Servers echo anything: the URL's secrets, a header's value (an Authorization).
    std::string error = mask_secrets(job->last.error, slot.secrets);
    if (!why.empty()) error = error.empty() ? std::string(why) : error + "; " + std::string(why);
    std::string message = mask_secrets(job->last.error_message, slot.secrets);
    std::string code = mask_secrets(job->last.error_code, slot.secrets);
    DeadLetter d;
    d.time = static_cast<int64_t>(std::time(nullptr));
    d.channel = slot.channel->name;
    d.url = st.url;
    d.attempts = job->attempts;
    d.http_status = job->last.http_status;
    d.error = error;
    d.error_code = code;
    d.error_message = message;
    d.event_json = *job->body;
    ++st.dead_lettered;
    bool written = dead_letter.write(format_dead_letter(d));
    if (!written && !dead_letter.is_stderr()) ++st.dead_letter_failed;  // The record went to stderr.
    if (!dead_letter.is_stderr()) {
      // The error quotes the server: escaped, so that an answer cannot write lines.
      std::fprintf(stderr, "cmrelay: send: %s (%s): dead-lettered after %d attempt%s: %s\n", text::escape(st.name).c_str(),
                   text::escape(st.url).c_str(), job->attempts, job->attempts == 1 ? "" : "s", text::escape(error).c_str());
    }
    if (hooks.on_done) hooks.on_done(job->tag, *slot.channel, false);
  }

  void report_attempt(const Job& job) {
    if (!hooks.on_attempt) return;
    const ChannelStats& st = stats[job.channel];
    std::string error = redact_secrets(job.last.error, channels[job.channel].channel->url);
    AttemptReport r;
    r.channel = &st;
    r.tag = job.tag;
    r.attempt = job.attempts;
    r.http_status = job.last.http_status;
    r.error = error;
    r.request_id = job.last.request_id;
    r.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - job.started);
    r.delivered = job.last.verdict == Verdict::Delivered;
    hooks.on_attempt(r);
  }

  void completed(CURL* h, CURLcode rc) {
    Job* job = nullptr;
    curl_easy_getinfo(h, CURLINFO_PRIVATE, &job);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    std::optional<Ms> retry_after;
    curl_header* header = nullptr;
    if (rc == CURLE_OK && curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
      retry_after = parse_retry_after(header->value, std::chrono::system_clock::now());
    }
    release(job);
    job->last = classify(rc, job->errbuf, status, job->response);
    report_attempt(*job);
    ChannelStats& st = stats[job->channel];
    if (job->last.verdict == Verdict::Delivered) {
      ++st.delivered;
      if (hooks.on_done) hooks.on_done(job->tag, *channels[job->channel].channel, true);
      finish(job, false);
      return;
    }
    std::string why;
    if (job->last.verdict == Verdict::Retry) {
      if (signal_count() > 0) {
        why = "interrupted before a retry";
      } else if (job->attempts >= options.max_attempts) {
        why = "--max-attempts reached";
      } else if (retry_after && *retry_after > options.max_retry_after) {
        why = "Retry-After of " + std::to_string(retry_after->count() / 1000) + " s is over --max-retry-after";
      } else {
        Ms wait = backoff_delay(job->attempts, options.backoff_base, options.backoff_cap, rng);
        if (retry_after) wait = std::max(wait, *retry_after);  // Never sooner than asked.
        auto now = Clock::now();
        auto due = now + wait;
        if (retry_after && (status == 429 || status == 503)) {
          // The server asked the whole channel to wait, not just this event.
          paused_until[job->channel] = std::max(paused_until[job->channel], now + *retry_after);
        }
        if (due <= job->first + options.max_elapsed) {
          ++st.retried;
          waiting.push({due, seq++, job});
          return;
        }
        why = kElapsed;
      }
    }
    bury(job, why);
    finish(job, true);
  }

  // Starts ready jobs while there is room. A job whose deadline has passed while it waited
  // for room is dead-lettered instead, and one whose channel is paused waits for its end.
  void start_ready() {
    while (in_flight < options.concurrency && !ready.empty()) {
      Job* job = ready.front();
      ready.pop_front();
      auto now = Clock::now();
      Clock::time_point paused = paused_until[job->channel];
      bool started = job->attempts > 0;
      if (started && (now >= job->first + options.max_elapsed || paused > job->first + options.max_elapsed)) {
        bury(job, kElapsed);
        finish(job, true);
      } else if (paused > now) {
        waiting.push({paused, seq++, job});
      } else {
        start(job, now);
      }
    }
  }

  // First signal: every lane without an attempt in flight is dead-lettered now. A lane
  // whose first job is in flight follows it when it ends (finish()), so that its records
  // keep the input order.
  void abandon_queued() {
    abandoned = true;
    ready.clear();
    waiting = {};
    for (auto it = lanes.begin(); it != lanes.end();) {
      auto& lane = it->second;
      if (lane.front()->easy != nullptr) {  // Only a lane's first job is ever in flight.
        ++it;
        continue;
      }
      for (auto& job : lane) {
        bury(job.get(), "interrupted");
        --queued;
      }
      it = lanes.erase(it);
    }
  }

  // Second signal: the attempts in flight are abandoned and dead-lettered too, each before
  // the rest of its lane.
  void abandon_in_flight() {
    for (auto& [name, lane] : lanes) {
      for (auto& job : lane) {
        if (job->easy != nullptr) {
          release(job.get());
          bury(job.get(), "interrupted during an attempt");
        } else {
          bury(job.get(), "interrupted");
        }
        --queued;
      }
    }
    lanes.clear();
  }

  void step(int64_t max_wait_ms) {
    int signals_seen = signal_count();
    if (signals_seen > 0 && !abandoned) abandon_queued();
    if (signals_seen > 1) {
      abandon_in_flight();
      return;
    }
    auto now = Clock::now();
    while (!waiting.empty() && waiting.top().due <= now) {
      ready.push_back(waiting.top().job);
      waiting.pop();
    }
    start_ready();
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg == CURLMSG_DONE) completed(m->easy_handle, m->data.result);
    }
    if (!ready.empty() && in_flight < options.concurrency) {
      start_ready();
      curl_multi_perform(multi, &running);
      return;
    }
    if (max_wait_ms <= 0) return;
    int64_t wait = max_wait_ms;
    if (!waiting.empty()) wait = std::min(wait, ms_until(waiting.top().due, Clock::now()));
    if (wait > 0) curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait), nullptr);
  }

  size_t backlog_limit() const { return std::max<size_t>(4096, options.concurrency * 64); }
};

Sender::Sender(DeliveryOptions options, DeadLetterFile& dead_letter, const std::atomic<int>* signals)
    : impl_(std::make_unique<Impl>(std::move(options), dead_letter, signals)) {}

Sender::~Sender() = default;

void Sender::submit(std::shared_ptr<const std::string> body, std::string_view alert_key, const Channel& channel,
                    uint64_t tag) {
  impl_->submit(std::move(body), alert_key, channel, tag);
}

void Sender::set_hooks(SenderHooks hooks) { impl_->hooks = std::move(hooks); }

void Sender::poll(int max_wait_ms) { impl_->step(max_wait_ms); }

void Sender::wakeup() { curl_multi_wakeup(impl_->multi); }

size_t Sender::queued() const { return impl_->queued; }

bool Sender::full() const { return impl_->queued >= impl_->backlog_limit(); }

void Sender::drain() {
  constexpr int kTickMs = 100;  // Signals are seen at least this often.
  while (impl_->queued > 0) impl_->step(kTickMs);
}

const std::vector<ChannelStats>& Sender::stats() const { return impl_->stats; }

}  // namespace cmrelay::deliver
