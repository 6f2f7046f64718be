#include "net/deliver/engine.h"

#include <chrono>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "net/deliver/inbox.h"

namespace cmrelay::deliver {
namespace {

constexpr int kTickMs = 100;  // Signals are seen at least this often.

// What the reading thread and the delivery loop share. Held by shared_ptr: after a second
// signal the reading thread may be left blocked on a FIFO, and must find it alive.
class HandOver : public Feed {
 public:
  explicit HandOver(std::function<void()> notify) : inbox(1024, std::move(notify)) {}

  void body_begins() override {
    bodies.fetch_add(1, std::memory_order_relaxed);
    in_body.store(true);
  }
  void body_ends() override { in_body.store(false); }
  void event(std::string_view body, const std::string& alert_key, const std::vector<const Channel*>& to,
             uint64_t token) override {
    std::lock_guard<std::mutex> lock(handing);
    if (sealed) {
      ++not_handed;
      return;
    }
    inbox.push({std::make_shared<const std::string>(body), alert_key, to, token});
  }

  Inbox inbox;
  std::mutex handing;       // Held while one event is handed over.
  bool sealed = false;      // Under handing: nothing more is handed over.
  uint64_t not_handed = 0;  // Under handing: events converted after the seal.
  std::atomic<bool> reading{true};
  std::atomic<uint64_t> bodies{0};   // Read so far (recognised ones).
  std::atomic<bool> in_body{false};  // The reader is handing over one body's events.
};

// send's source: a reading thread hands events over through the inbox.
class Reading : public Source {
 public:
  Reading(const std::function<void(Feed&)>& read, Sender& sender, DeadLetterFile& dead_letter,
          const std::function<void(uint64_t)>& tick)
      : shared_(std::make_shared<HandOver>([&sender] { sender.wakeup(); })), dead_letter_(dead_letter), tick_(tick) {
    reader_ = std::thread([shared = shared_, read] {
      read(*shared);
      shared->reading.store(false);
      shared->inbox.close();
    });
  }

  bool take(Sender& sender) override {
    const bool more = shared_->inbox.take(taken_);
    submit_taken(sender);
    return more;
  }
  void tick() override { tick_(shared_->bodies.load()); }
  // The reading stops (the handler set the flag); a push never waits again, and a read()
  // blocked on this thread's way is interrupted, every turn until the reader is done.
  void stopping(int) override {
    shared_->inbox.release();
    if (shared_->reading.load()) signals::wake(reader_.native_handle());
  }
  bool abandon(Sender& sender) override;

  // The run's result; joins the reading thread unless it was abandoned.
  RunResult finish() {
    if (result_.joined) reader_.join();
    count_not_handed();
    return result_;
  }

 private:
  void submit_taken(Sender& sender) {
    for (const Outgoing& item : taken_) {
      if (item.channels.empty() && !dead_letter_unrouted(dead_letter_, *item.body)) ++result_.unrouted_failed;
      for (const Channel* ch : item.channels) sender.submit(item.body, item.alert_key, *ch, item.token);
    }
    taken_.clear();
  }
  void count_not_handed() {
    std::lock_guard<std::mutex> lock(shared_->handing);
    result_.not_handed = shared_->not_handed;
  }

  std::shared_ptr<HandOver> shared_;
  DeadLetterFile& dead_letter_;
  const std::function<void(uint64_t)>& tick_;
  std::thread reader_;
  std::deque<Outgoing> taken_;
  RunResult result_;
};

bool Reading::abandon(Sender& sender) {
  if (!shared_->reading.load()) return false;  // Its events are all handed over: settle them.
  // Exit at once, but first take (and so dead-letter) every event already handed over: under
  // the lock, nothing is mid-way, and nothing more comes after the seal.
  {
    std::lock_guard<std::mutex> lock(shared_->handing);
    shared_->sealed = true;
    shared_->inbox.take(taken_);
  }
  submit_taken(sender);
  while (sender.queued() > 0) sender.poll(kTickMs);
  // The rest of the body being handed over is only counted (not_handed), which takes the
  // reader microseconds; wait for that, boundedly, so that the count is whole.
  for (int i = 0; i < 100 && shared_->in_body.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  reader_.detach();
  result_.joined = false;
  return true;
}

}  // namespace

void run(Source& source, Sender& sender, const Policy& policy, const signals::Received& signals) {
  const bool drains = policy.on_stop == OnStop::kStopAndDrain;
  bool more = true;
  bool stopped = false;
  auto drain_end = std::chrono::steady_clock::time_point::max();
  for (;;) {
    source.tick();
    if (signals.stops.load() > 0) {
      source.stopping(signals.stops.load());
      if (!stopped && drains) {
        more = false;  // Nothing new is taken; the deadline counts from here.
        drain_end = std::chrono::steady_clock::now() + policy.drain;
      }
      stopped = true;
    }
    if (signals.stops.load() > 1 && (drains || source.abandon(sender))) return;
    if (more && !sender.full()) more = source.take(sender);
    if (!more && sender.queued() == 0 && !source.unfinished()) return;
    if (std::chrono::steady_clock::now() >= drain_end) return;
    sender.poll(kTickMs);
  }
}

bool dead_letter_unrouted(DeadLetterFile& dead_letter, std::string_view event_json) {
  DeadLetter d;
  d.time = static_cast<int64_t>(std::time(nullptr));
  d.error = "routed to no channel";
  d.event_json = event_json;
  return dead_letter.write(format_dead_letter(d)) || dead_letter.is_stderr();
}

RunResult deliver_all(const std::function<void(Feed&)>& read, Sender& sender, DeadLetterFile& dead_letter,
                      const std::function<void(uint64_t)>& tick, const signals::Received& signals) {
  Reading source(read, sender, dead_letter, tick);
  run(source, sender, Policy{OnStop::kStop, {}}, signals);
  return source.finish();
}

}  // namespace cmrelay::deliver
