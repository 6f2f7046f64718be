#include "net/deliver/sender.h"

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

#include "net/deliver/attempt_log.h"
#include "net/deliver/backoff.h"
#include "net/deliver/outcome.h"
#include "net/deliver/rate.h"
#include "text/escape.h"
#include "text/url_redact.h"

namespace cmrelay::deliver {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxResponse = size_t{64} * 1024;  // Enough for any error body; the rest is skipped.
constexpr std::string_view kEarlierDead = "an earlier event of this alert_key was dead-lettered";
constexpr std::string_view kElapsed = "--max-elapsed reached";
constexpr std::string_view kRateLimit = "rate limit";
constexpr std::string_view kPause = "channel pause";

struct Job {
  std::shared_ptr<const std::string> body;
  size_t channel = 0;  // Index into the sender's channel tables.
  std::string lane;    // Events of one lane go one at a time, in order.
  bool keyed = false;  // The lane is a (channel, alert_key); else the event's own.
  uint64_t tag = 0;    // The caller's, reported back by the hooks.
  int attempts = 0;
  int throttled = 0;  // Of attempts: answered 429 (not counted against --max-attempts).
  Clock::time_point first{};
  Clock::time_point started{};  // Of the attempt in flight (or the last one).
  Clock::time_point held{};     // Since when it waits for its budget (rate limit or pause).
  std::string_view held_for;    // kRateLimit or kPause; empty when it did not wait.
  bool in_budget_queue = false;
  bool retrying = false;  // Waiting for a retry.
  Outcome last;
  std::string response;
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* easy = nullptr;  // Set while an attempt is in flight.
};

size_t on_response(char* data, size_t size, size_t n, void* user) {
  auto* job = static_cast<Job*>(user);
  size_t len = size * n;
  if (job->response.size() < kMaxResponse)
    job->response.append(data, std::min(len, kMaxResponse - job->response.size()));
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
    size_t budget = 0;
  };

  // What the channels of one integration share: the pacing, and a pause a 429 or a
  // Retry-After asked for.
  struct Budget {
    RateLimiter limiter;
    Clock::time_point paused_until{};
    Clock::time_point paused_at{};  // When the pause was last set.
    int streak = 0;                 // 429s without Retry-After since the last success.
    bool probing = false;           // After such a 429: one request at a time until one succeeds.
    size_t in_flight = 0;
    std::deque<Job*> held;  // Ready jobs waiting for the budget, in order.
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
  std::vector<Budget> budgets;
  std::unordered_map<std::string, size_t> budget_index;  // By budget_key(): holds secrets.
  size_t retrying = 0;                                   // Jobs waiting for a retry.
  uint64_t delivered_total = 0, dead_total = 0;
  std::deque<Job*> ready;
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<Waiting>> waiting;
  uint64_t seq = 0;
  size_t queued = 0;  // Jobs not yet delivered or dead-lettered.
  size_t in_flight = 0;
  bool abandoned = false;  // After the first signal: only in-flight attempts remain.
  SenderHooks hooks;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(DeliveryOptions o, DeadLetterFile& dl, const std::atomic<int>* s)
      : options(std::move(o)), dead_letter(dl), signals(s) {
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
    auto [b, new_budget] = budget_index.emplace(budget_key(ch.url), budgets.size());
    if (new_budget) {
      budgets.emplace_back();
      if (options.shared != nullptr) budgets.back().limiter.share(*options.shared, b->first, options.fleet_size);
    }
    budgets[b->second].limiter.add(channel_rates(ch));
    channels.push_back({&ch, h, channel_secrets(ch), b->second});
    ChannelStats s;
    s.name = ch.name;
    s.url = redact_url(ch.url, ch.redact);
    stats.push_back(std::move(s));
    // Every channel of the budget reports what the budget now holds.
    for (size_t i = 0; i < channels.size(); ++i) {
      if (channels[i].budget == b->second) stats[i].rate = budgets[b->second].limiter.describe();
    }
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
    job->in_budget_queue = false;
    ++budgets[slot.budget].in_flight;
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
    --budgets[channels[job->channel].budget].in_flight;
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
    Redacted r(job->last, slot.secrets);
    if (!why.empty()) r.error = r.error.empty() ? std::string(why) : r.error + "; " + std::string(why);
    DeadLetter d;
    d.time = static_cast<int64_t>(std::time(nullptr));
    d.channel = slot.channel->name;
    d.url = st.url;
    d.attempts = job->attempts;
    d.http_status = job->last.http_status;
    d.error = r.error;
    d.error_code = r.code;
    d.error_message = r.message;
    d.event_json = *job->body;
    d.request_id = r.request_id;
    ++st.dead_lettered;
    ++dead_total;
    bool written = dead_letter.write(format_dead_letter(d));
    if (!written && !dead_letter.is_stderr()) ++st.dead_letter_failed;  // The record went to stderr.
    // After a signal, one summary line counts them instead (report_text).
    bool interrupted = abandoned || signal_count() > 0;
    if (interrupted) ++st.interrupted;
    if (!dead_letter.is_stderr() && !interrupted && options.verbosity >= 0) {
      AttemptLine l = line_of(job, "dead-lettered", r);
      l.reason = r.error;
      say(l);
    }
    if (hooks.on_done) hooks.on_done(job->tag, *slot.channel, false);
  }

  void report_attempt(const Job& job) {
    if (!hooks.on_attempt) return;
    const ChannelStats& st = stats[job.channel];
    std::string error = mask_secrets(job.last.error, channels[job.channel].secrets);
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

  // What an outcome says, with the channel's secrets masked (servers echo anything).
  struct Redacted {
    Redacted(const Outcome& o, const std::vector<std::string>& secrets)
        : error(mask_secrets(o.error, secrets)),
          code(mask_secrets(o.error_code, secrets)),
          message(mask_secrets(o.error_message, secrets)),
          request_id(mask_secrets(o.request_id, secrets)) {}
    std::string error, code, message, request_id;
  };

  AttemptLine line_of(const Job* job, std::string_view what, const Redacted& r) const {
    AttemptLine l;
    l.what = what;
    l.channel = stats[job->channel].name;
    l.url = stats[job->channel].url;
    if (job->keyed) l.alert_key = std::string_view(job->lane).substr(job->lane.find('\n') + 1);
    l.attempt = job->attempts;
    l.http_status = job->last.http_status;
    l.error_code = r.code;
    l.request_id = r.request_id;
    return l;
  }

  void say(const AttemptLine& l) {
    if (options.before_line) options.before_line();
    std::string line = format_attempt_line(l, options.log_json);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  // -v: the attempt that just ended.
  void say_attempt(Job* job, std::string_view result, Ms next_wait, std::string_view next_wait_for) {
    std::string_view held_for = job->held_for;
    job->held_for = {};  // The next attempt reports its own wait.
    if (options.verbosity < 1) return;
    Redacted r(job->last, channels[job->channel].secrets);
    AttemptLine l = line_of(job, "attempt", r);
    l.error = r.error;
    l.result = result;
    if (!held_for.empty()) {
      l.waited = std::chrono::duration_cast<Ms>(job->started - job->held);
      l.waited_for = held_for;
    }
    l.next_wait = next_wait;
    l.next_wait_for = next_wait_for;
    say(l);
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
    std::string location;
    if (rc == CURLE_OK && status >= 300 && status <= 399) {
      char* to = nullptr;
      if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &to) == CURLE_OK && to != nullptr) location = redact_url(to);
    }
    release(job);
    job->last = classify(rc, job->errbuf, status, job->response, location);
    report_attempt(*job);
    ChannelStats& st = stats[job->channel];
    Budget& budget = budgets[channels[job->channel].budget];
    if (!job->last.request_id.empty())
      st.last_request_id = mask_secrets(job->last.request_id, channels[job->channel].secrets);
    if (job->last.verdict == Verdict::Delivered) {
      ++st.delivered;
      if (hooks.on_done) hooks.on_done(job->tag, *channels[job->channel].channel, true);
      ++delivered_total;
      budget.streak = 0;
      budget.probing = false;
      say_attempt(job, "delivered", Ms(0), {});
      finish(job, false);
      return;
    }
    const bool throttled = status == 429;
    if (throttled) {
      ++job->throttled;
      ++st.throttled;
    }
    std::string why;
    if (job->last.verdict == Verdict::Retry) {
      if (signal_count() > 0) {
        why = "interrupted before a retry";
      } else if (!throttled && job->attempts - job->throttled >= options.max_attempts) {
        why = "--max-attempts reached";
      } else if (retry_after && *retry_after > options.max_retry_after) {
        why = "Retry-After of " + std::to_string(retry_after->count() / 1000) + " s is over --max-retry-after";
      } else {
        auto now = Clock::now();
        std::string_view wait_for = "backoff";
        Ms wait = backoff_delay(job->attempts - job->throttled + (throttled ? 1 : 0), options.backoff_base,
                                options.backoff_cap, rng);
        if (retry_after) {
          wait = std::max(wait, *retry_after);  // Never sooner than asked.
          wait_for = "Retry-After";
          // The server asked the whole integration to wait, not just this event.
          if (throttled || status == 503) pause(budget, now, now + *retry_after);
        } else if (throttled) {
          wait = window_wait(budget, job, now);
          wait_for = "rate window (429 without Retry-After)";
        }
        auto due = now + wait;
        if (due <= job->first + options.max_elapsed) {
          ++st.retried;
          say_attempt(job, "retry", wait, wait_for);
          job->retrying = true;
          ++retrying;
          waiting.push({due, seq++, job});
          return;
        }
        why = past_deadline(job, wait, wait_for);
      }
    }
    say_attempt(job, "failed", Ms(0), {});
    bury(job, why);
    finish(job, true);
  }

  void pause(Budget& b, Clock::time_point now, Clock::time_point until) {
    if (until <= b.paused_until) return;
    b.paused_until = until;
    b.paused_at = now;
  }

  // A 429 without Retry-After: the integration is over one of its windows. The whole
  // budget waits, doubling from --backoff-base up to its longest window (--backoff-cap when
  // it has none), half of it jitter. A 429 to a request started before the current pause
  // was set is the same overrun seen again: it waits for that pause, and does not double it.
  Ms window_wait(Budget& b, const Job* job, Clock::time_point now) {
    if (job->started < b.paused_at && b.paused_until > now) return std::chrono::ceil<Ms>(b.paused_until - now);
    ++b.streak;
    Ms window = b.limiter.empty() ? options.backoff_cap : b.limiter.longest();
    int64_t ceiling = std::max<int64_t>(1, options.backoff_base.count());
    for (int i = 1; i < b.streak && ceiling < window.count(); ++i) ceiling *= 2;
    ceiling = std::min<int64_t>(ceiling, std::max<int64_t>(1, window.count()));
    std::uniform_int_distribution<int64_t> pick(ceiling / 2, ceiling);
    Ms wait(pick(rng));
    pause(b, now, now + wait);
    // When the pause ends, one request finds out whether the window has passed, instead
    // of --concurrency of them answered 429 together.
    b.probing = true;
    return wait;
  }

  // Why an event is given up when its next wait would end after its deadline.
  std::string past_deadline(const Job* job, Ms wait, std::string_view wait_for) {
    auto fmt = [](Ms ms) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(ms.count()) / 1000);
      return std::string(buf);
    };
    Ms left = std::chrono::duration_cast<Ms>(job->first + options.max_elapsed - Clock::now());
    return "the next wait (" + fmt(wait) + ", " + std::string(wait_for) + ") would pass --max-elapsed (" +
           fmt(std::max(left, Ms(0))) + " left of " + fmt(options.max_elapsed) + " since the first attempt)";
  }

  // Starts ready jobs while there is room and their budget allows. A job whose budget is
  // paused or spent waits in the budget's queue, in order; one whose deadline has passed
  // (or would, before the budget frees) is dead-lettered instead.
  void start_ready() {
    auto now = Clock::now();
    for (Budget& b : budgets) {
      while (in_flight < options.concurrency && !b.held.empty() && try_start(b.held.front(), b, now))
        b.held.pop_front();
    }
    while (in_flight < options.concurrency && !ready.empty()) {
      Job* job = ready.front();
      ready.pop_front();
      Budget& b = budgets[channels[job->channel].budget];
      if (!b.held.empty() || !try_start(job, b, now)) {
        if (!job->in_budget_queue) job->held = now;
        job->in_budget_queue = true;
        b.held.push_back(job);
      }
    }
  }

  // When the budget is free: starts the job (or dead-letters it when its deadline passed)
  // and returns true. Else false, and the job waits.
  bool try_start(Job* job, Budget& b, Clock::time_point now) {
    if (job->retrying) {
      job->retrying = false;
      --retrying;
    }
    const bool started = job->attempts > 0;
    const auto deadline = job->first + options.max_elapsed;
    if (started && now >= deadline) {
      bury(job, kElapsed);
      finish(job, true);
      return true;
    }
    Clock::time_point free = std::max(b.paused_until, b.limiter.next_free(now));
    if (free <= now && b.probing && b.in_flight > 0) return false;  // Its budget's probe is out.
    if (free <= now) free = b.limiter.acquire(now);                 // Shared by a fleet, Redis may still say wait.
    if (free <= now) {
      start(job, now);
      return true;
    }
    std::string_view why = b.paused_until > now ? kPause : kRateLimit;
    if (started && free > deadline) {
      bury(job, past_deadline(job, std::chrono::ceil<Ms>(free - now), why));
      finish(job, true);
      return true;
    }
    if (job->held_for.empty()) {
      if (!job->in_budget_queue) job->held = now;
      job->held_for = why;
      if (options.verbosity >= 2) {
        AttemptLine l;
        l.what = "waiting";
        l.channel = stats[job->channel].name;
        l.url = stats[job->channel].url;
        l.waited = std::chrono::ceil<Ms>(free - now);
        l.waited_for = why;
        say(l);
      }
    }
    return false;
  }

  // The earliest time a held job may start; max() when none is held.
  Clock::time_point next_budget_time(Clock::time_point now) {
    Clock::time_point t = Clock::time_point::max();
    for (Budget& b : budgets) {
      if (!b.held.empty()) t = std::min(t, std::max(b.paused_until, b.limiter.next_free(now)));
    }
    return t;
  }

  // First signal: every lane without an attempt in flight is dead-lettered now. A lane
  // whose first job is in flight follows it when it ends (finish()), so that its records
  // keep the input order.
  void abandon_queued() {
    abandoned = true;
    ready.clear();
    waiting = {};
    for (Budget& b : budgets) b.held.clear();
    retrying = 0;
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
    now = Clock::now();
    if (!waiting.empty()) wait = std::min(wait, ms_until(waiting.top().due, now));
    if (in_flight < options.concurrency) {
      Clock::time_point budget = next_budget_time(now);
      if (budget != Clock::time_point::max()) wait = std::min(wait, ms_until(budget, now));
    }
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

SenderProgress Sender::progress() const {
  return {impl_->delivered_total, impl_->dead_total, impl_->queued, impl_->retrying};
}

}  // namespace cmrelay::deliver
