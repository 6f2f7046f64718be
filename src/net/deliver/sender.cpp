// The sender's orchestration: lanes (one event of a (channel, alert_key) at a time, in
// order), the ready queue, budgets, retries, dead letters and the hooks. Its pieces each
// do one job: transfer (libcurl), the channel's target (render and judge), budget (pacing
// and pauses), retry (the policy), sender_log (what it says), deadletter (the records).
#include "net/deliver/sender.h"

#include <algorithm>
#include <ctime>
#include <deque>
#include <queue>
#include <random>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "net/deliver/budget.h"
#include "net/deliver/job.h"
#include "net/deliver/lanes.h"
#include "net/deliver/outcome.h"
#include "net/deliver/rate.h"
#include "net/deliver/retry.h"
#include "net/deliver/sender_log.h"
#include "net/deliver/transfer.h"
#include "text/url_redact.h"

namespace cmrelay::deliver {
namespace {

constexpr std::string_view kElapsed = "--max-elapsed reached";
constexpr std::string_view kRateLimit = "rate limit";
constexpr std::string_view kPause = "channel pause";

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
    curl_slist* headers = nullptr;     // Freed by transfers.
    std::vector<std::string> secrets;  // Masked in whatever the server sends back.
    size_t budget = 0;
  };

  DeliveryOptions options;
  DeadLetterFile& dead_letter;
  const std::atomic<int>* signals;
  Transfers transfers{options};
  SenderLog log{options};
  std::vector<ChannelSlot> channels;
  std::vector<ChannelStats> stats;
  std::unordered_map<const Channel*, size_t> channel_index;
  Lanes lanes{options.forget_dead_lanes};
  Budgets budgets;
  size_t retrying = 0;  // Jobs waiting for a retry.
  uint64_t delivered_total = 0, dead_total = 0;
  std::deque<Job*> ready;
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<Waiting>> waiting;
  uint64_t seq = 0;
  bool abandoned = false;  // After the first signal: only in-flight attempts remain.
  SenderHooks hooks;
  Lanes::Bury burier = [this](Job* job, std::string_view why) { bury(job, why); };
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<std::string_view> events;  // Scratch: the events a request carries.
  std::vector<Job*> landed;              // Scratch: the jobs of the request that just ended.

  Impl(DeliveryOptions o, DeadLetterFile& dl, const std::atomic<int>* s)
      : options(std::move(o)), dead_letter(dl), signals(s) {}

  int signal_count() const { return signals ? signals->load() : 0; }

  size_t slot_for(const Channel& ch) {
    auto [it, added] = channel_index.emplace(&ch, channels.size());
    if (!added) return it->second;
    curl_slist* h = transfers.header_list(ch.target->headers(), ch.headers);
    size_t b = budgets.add(ch.target->budget_key(ch.url), channel_rates(ch));
    channels.push_back({&ch, h, channel_secrets(ch), b});
    ChannelStats s;
    s.name = ch.name;
    s.url = redact_url(ch.url, ch.redact);
    stats.push_back(std::move(s));
    // Every channel of the budget reports what the budget now holds.
    for (size_t i = 0; i < channels.size(); ++i) {
      if (channels[i].budget == b) stats[i].rate = budgets[b].limiter.describe();
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
    if (lanes.dead(*job)) {
      bury(job.get(), kEarlierDead);
      return;
    }
    // Interrupted: nothing new is attempted. (Behind an event of its lane still in flight,
    // it is dead-lettered after that one, by finish().)
    if (signal_count() > 0 && !lanes.busy(*job)) {
      bury(job.get(), "interrupted before a first attempt");
      return;
    }
    if (Job* head = lanes.add(std::move(job))) ready.push_back(head);
  }

  // Starts one request carrying jobs (all of one channel): rendered by the channel's target.
  // A render that fails dead-letters them, unsent.
  void start(std::span<Job* const> jobs, Budget& budget, Clock::time_point now) {
    const ChannelSlot& slot = channels[jobs.front()->channel];
    Flight* f = transfers.acquire();
    f->channel = jobs.front()->channel;
    events.clear();
    for (Job* job : jobs) events.push_back(*job->body);
    std::string error;
    target::RenderContext context{std::chrono::system_clock::now(), nullptr};
    if (slot.channel->target->render(events, slot.channel->url, context, f->request, error) == 0) {
      transfers.give_back(f);
      for (Job* job : jobs) {
        bury(job, error);
        finish(job, true);
      }
      return;
    }
    budget.limiter.take(now);
    ++budget.in_flight;
    // An attempt never runs past its events' total deadline (which is still ahead: see
    // start_ready()).
    int64_t left = INT64_MAX;
    for (Job* job : jobs) {
      if (job->attempts == 0) job->first = now;
      job->started = now;
      job->in_budget_queue = false;
      ++job->attempts;
      ++stats[job->channel].attempts;
      job->flight = f;
      f->jobs.push_back(job);
      left = std::min(left, ms_until(job->first + options.max_elapsed, now));
    }
    auto timeout = slot.channel->timeout.count() > 0 ? slot.channel->timeout : options.timeout;
    transfers.start(f, slot.headers, Ms(std::clamp<int64_t>(left, 1, timeout.count())));
  }

  // The flight's transfer ends (or is abandoned): its jobs are no longer in flight.
  void land(Flight* f) {
    --budgets[channels[f->channel].budget].in_flight;
    for (Job* job : f->jobs) job->flight = nullptr;
    transfers.release(f);
  }

  // The job is done (dead: dead-lettered): the next of its lane becomes ready (lanes.h).
  void finish(Job* job, bool dead) {
    if (Job* next = lanes.finish(job, dead, abandoned, burier)) ready.push_back(next);
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
    if (!dead_letter.is_stderr() && !interrupted && options.verbosity >= 0) log.dead_lettered(*job, st, r);
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

  // -v: the attempt that just ended. The next attempt reports its own wait.
  void say_attempt(Job* job, std::string_view result, Ms next_wait, std::string_view next_wait_for) {
    std::string_view held_for = job->held_for;
    job->held_for = {};
    log.attempt(*job, stats[job->channel], channels[job->channel].secrets, result, next_wait, next_wait_for, held_for);
  }

  void completed(Flight* f, const Ended& ended) {
    const ChannelSlot& slot = channels[f->channel];
    target::Response response{ended.status, f->response, ended.retry_after, ended.location};
    Outcome outcome = judge(*slot.channel->target, ended.rc, f->errbuf, response);
    std::vector<Job*>& jobs = landed;
    jobs.assign(f->jobs.begin(), f->jobs.end());
    land(f);
    for (Job* job : jobs) {
      job->last = outcome;
      report_attempt(*job);
      if (!outcome.request_id.empty())
        stats[job->channel].last_request_id = mask_secrets(outcome.request_id, slot.secrets);
    }
    Budget& budget = budgets[slot.budget];
    if (outcome.verdict == Verdict::Delivered) {
      budget.succeeded();
      for (Job* job : jobs) delivered(job);
      return;
    }
    if (outcome.throttled) {
      for (Job* job : jobs) {
        ++job->throttled;
        ++stats[job->channel].throttled;
      }
    }
    // One wait for the whole request (a budget pauses once), spent by each of its events.
    std::optional<Wait> wait;
    for (Job* job : jobs) {
      std::string why;
      if (outcome.verdict == Verdict::Retry) {
        why = give_up_reason(*job, outcome, options, signal_count());
        if (why.empty()) {
          auto now = Clock::now();
          if (!wait) wait = next_wait(*job, outcome, budget, options, rng, now);
          if (now + wait->wait <= job->first + options.max_elapsed) {
            retry_later(job, now + wait->wait, *wait);
            continue;
          }
          why = past_deadline(*job, wait->wait, wait->why, options.max_elapsed);
        }
      }
      say_attempt(job, "failed", Ms(0), {});
      bury(job, why);
      finish(job, true);
    }
  }

  void delivered(Job* job) {
    ++stats[job->channel].delivered;
    if (hooks.on_done) hooks.on_done(job->tag, *channels[job->channel].channel, true);
    ++delivered_total;
    say_attempt(job, "delivered", Ms(0), {});
    finish(job, false);
  }

  void retry_later(Job* job, Clock::time_point due, const Wait& wait) {
    ++stats[job->channel].retried;
    say_attempt(job, "retry", wait.wait, wait.why);
    job->retrying = true;
    ++retrying;
    waiting.push({due, seq++, job});
  }

  // Starts ready jobs while there is room and their budget allows. A job whose budget is
  // paused or spent waits in the budget's queue, in order; one whose deadline has passed
  // (or would, before the budget frees) is dead-lettered instead.
  void start_ready() {
    auto now = Clock::now();
    for (Budget& b : budgets.all()) {
      while (room() && !b.held.empty() && try_start(b.held.front(), b, now)) b.held.pop_front();
    }
    while (room() && !ready.empty()) {
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

  bool room() const { return transfers.in_flight() < options.concurrency; }

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
    Clock::time_point free = b.next_free(now);
    if (free <= now && b.probing && b.in_flight > 0) return false;  // Its budget's probe is out.
    if (free <= now) {
      start({&job, 1}, b, now);
      return true;
    }
    std::string_view why = b.paused_until > now ? kPause : kRateLimit;
    if (started && free > deadline) {
      bury(job, past_deadline(*job, std::chrono::ceil<Ms>(free - now), why, options.max_elapsed));
      finish(job, true);
      return true;
    }
    if (job->held_for.empty()) {
      if (!job->in_budget_queue) job->held = now;
      job->held_for = why;
      if (options.verbosity >= 2) log.waiting(stats[job->channel], std::chrono::ceil<Ms>(free - now), why);
    }
    return false;
  }

  // First signal: nothing new starts; what waits is dead-lettered now (lanes.h).
  void abandon_queued() {
    abandoned = true;
    ready.clear();
    waiting = {};
    for (Budget& b : budgets.all()) b.held.clear();
    retrying = 0;
    lanes.abandon_idle(burier);
  }

  // Second signal: the attempts in flight are abandoned and dead-lettered too, each before
  // the rest of its lane.
  void abandon_in_flight() {
    std::unordered_set<const Job*> in_flight;
    lanes.each_front([&](Job* job) {
      if (Flight* f = job->flight) {
        in_flight.insert(f->jobs.begin(), f->jobs.end());
        land(f);
      }
    });
    lanes.abandon_all(in_flight, burier);
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
    transfers.perform([this](Flight* f, const Ended& e) { completed(f, e); });
    if (!ready.empty() && room()) {
      start_ready();
      transfers.run();
      return;
    }
    if (max_wait_ms <= 0) return;
    int64_t wait = max_wait_ms;
    now = Clock::now();
    if (!waiting.empty()) wait = std::min(wait, ms_until(waiting.top().due, now));
    if (room()) {
      Clock::time_point budget = budgets.next_time(now);
      if (budget != Clock::time_point::max()) wait = std::min(wait, ms_until(budget, now));
    }
    if (wait > 0) transfers.wait(static_cast<int>(wait));
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

void Sender::wakeup() { impl_->transfers.wakeup(); }

size_t Sender::queued() const { return impl_->lanes.size(); }

bool Sender::full() const { return impl_->lanes.size() >= impl_->backlog_limit(); }

void Sender::drain() {
  constexpr int kTickMs = 100;  // Signals are seen at least this often.
  while (impl_->lanes.size() > 0) impl_->step(kTickMs);
}

const std::vector<ChannelStats>& Sender::stats() const { return impl_->stats; }

SenderProgress Sender::progress() const {
  return {impl_->delivered_total, impl_->dead_total, impl_->lanes.size(), impl_->retrying};
}

}  // namespace cmrelay::deliver
