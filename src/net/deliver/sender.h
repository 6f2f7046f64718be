// The delivery engine: POSTs event bodies to channels with libcurl's multi interface (many
// requests in flight, connections reused), retries with backoff and Retry-After, keeps the
// order of one channel's events per alert_key (once one is dead-lettered, the later ones
// follow it into the dead-letter file, so that a replay keeps the order), pauses a channel
// on a 429 or 503 with Retry-After, and dead-letters what it cannot deliver.
// Requests are paced per integration (deliver/rate.h): channels sharing an integration key
// share one budget, whose windows all apply (with --shared, across the fleet); a 429 pauses
// the whole budget. A 429 never
// spends --max-attempts (only --max-elapsed bounds it): without Retry-After it means "wait
// for the window", a wait doubling from --backoff-base up to the budget's longest window
// (--backoff-cap when it has none), with jitter.
// It knows nothing of where channels come from (route file or --url).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/deliver/deadletter.h"
#include "route/channel.h"

namespace cmrelay::state {
class RedisLink;
}

namespace cmrelay::deliver {

struct DeliveryOptions {
  size_t concurrency = 16;  // Requests in flight at most.
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{30000};  // Per attempt; a channel's own timeout wins.
  std::string cacert;                        // CA bundle file; empty: the system's.
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30000};
  int max_attempts = 5;
  std::chrono::milliseconds max_elapsed{300000};      // From an event's first attempt to giving up.
  std::chrono::milliseconds max_retry_after{120000};  // A longer Retry-After gives up at once.
  // An alert_key with a dead-lettered event dead-letters its later events for the rest of
  // the run (so a replay keeps the order). A long-running process (cmrelay serve) sets this:
  // the key is then forgotten once none of its events waits any more.
  bool forget_dead_lanes = false;
  int verbosity = 0;                  // -1 quiet (no per-event lines), 1 one line per attempt (-v), 2 also waits.
  bool log_json = false;              // --log-format json: those lines as JSON objects.
  std::function<void()> before_line;  // Called before each stderr line (clears a progress line).
  // --shared: every budget is the fleet's, in this Redis (deliver/rate.h), and while it is
  // away this host keeps to 1/fleet_size of it. Null: budgets are this process's own.
  state::RedisLink* shared = nullptr;
  size_t fleet_size = 1;  // --fleet-size
};

struct ChannelStats {
  std::string name;
  std::string url;        // Redacted.
  uint64_t events = 0;    // Events handed to this channel.
  uint64_t attempts = 0;  // Requests made.
  uint64_t delivered = 0;
  uint64_t retried = 0;  // Retries scheduled.
  uint64_t dead_lettered = 0;
  uint64_t dead_letter_failed = 0;  // Of dead_lettered: the file did not take the record (on stderr instead).
  uint64_t interrupted = 0;         // Of dead_lettered: because of a signal.
  uint64_t throttled = 0;           // 429 answers (not counted against --max-attempts).
  std::string rate;                 // The budget's pacing: "100/s,1000/m", or "none".
  std::string last_request_id;      // Flashduty's request_id of the last response that had one.
};

// What is moving right now, for a progress line.
struct SenderProgress {
  uint64_t delivered = 0, dead_lettered = 0;
  size_t queued = 0;    // Not yet delivered or dead-lettered.
  size_t retrying = 0;  // Of queued: waiting for a retry after a failed attempt.
};

// What one attempt came to, for a caller's log line (cmrelay serve). Views are valid during
// the call only; url is redacted, error redacted.
struct AttemptReport {
  const ChannelStats* channel = nullptr;
  uint64_t tag = 0;             // The submit() tag.
  int attempt = 0;              // 1-based.
  long http_status = 0;         // 0 when no response arrived.
  std::string_view error;       // Empty when delivered.
  std::string_view request_id;  // Flashduty's request_id, when the response carried one.
  std::chrono::milliseconds took{0};
  bool delivered = false;
};

// Optional callbacks, called on the thread that calls poll() or submit(); they must not call
// the Sender back.
struct SenderHooks {
  // Every attempt that got an answer or a transport error (not ones abandoned by a signal).
  std::function<void(const AttemptReport&)> on_attempt;
  // Once per submitted event, when it ends: delivered, or dead-lettered (true/false), with
  // its submit() tag and channel, on the polling thread. A caller that keeps its input until
  // every event from it ended (cmrelay serve's spool) releases it here; send's open-alert
  // state records where a firing event went.
  std::function<void(uint64_t tag, const Channel& channel, bool delivered)> on_done;
};

class Sender {
 public:
  // signals: SIGINT/SIGTERM received so far. At 1, no attempt starts any more, what is in
  // flight finishes (delivered or dead-lettered, not retried) and the rest is dead-lettered;
  // at 2, what is in flight is abandoned and dead-lettered too.
  Sender(DeliveryOptions options, DeadLetterFile& dead_letter, const std::atomic<int>* signals);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Queues one event body (a Flashduty standard event) for a channel; the channel must
  // outlive the Sender. After a signal the event is dead-lettered at once. The tag is the
  // caller's, handed back by the hooks.
  void submit(std::shared_ptr<const std::string> body, std::string_view alert_key, const Channel& channel,
              uint64_t tag = 0);
  // Set before the first submit().
  void set_hooks(SenderHooks hooks);
  // Makes progress: starts what may start, handles what finished, then waits up to
  // max_wait_ms for the network, the next retry or wakeup().
  void poll(int max_wait_ms);
  // Ends a poll() early; the one call any thread may make.
  void wakeup();
  // Events not yet delivered or dead-lettered.
  size_t queued() const;
  // True while so much is queued that no more should be submitted (bounded memory).
  bool full() const;
  // Polls until every queued event is delivered or dead-lettered.
  void drain();

  const std::vector<ChannelStats>& stats() const;
  SenderProgress progress() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cmrelay::deliver
