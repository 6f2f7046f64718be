// The open-alert state as dispatch's Memory (route/dispatch.h): what the state file remembers
// of a recovery's alert (the channels its firing events were sent to, in this run or an
// earlier one, with the route file changed since or not), a firing event's channels written
// before it is sent, and a recovery's alert closed at each channel it is delivered to (the
// Sender's on_done). Where an event goes is dispatch's decision alone; this is its memory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "event/event.h"
#include "net/state/redis_link.h"
#include "net/state/state.h"
#include "route/dispatch.h"

namespace cmrelay {

// Opens the state send and serve use: --state FILE, "none" (nullptr, no error), or "" for
// state::default_path(), or with shared (--shared) the fleet's, in Redis (option "" then).
// A dry run only reads, and an absent file there is no state (no error). nullptr with error
// set when it cannot be used.
std::unique_ptr<state::Store> open_state(const std::string& option, std::chrono::seconds max_age, bool dry_run,
                                         std::string& error, state::RedisLink* shared = nullptr);

class Recall : public Memory {
 public:
  // store may be null (--state none, or a state that failed to open): nothing is known, and
  // the route file alone decides. With write false (--dry-run, routes test) nothing is
  // remembered or forgotten.
  Recall(state::Store* store, bool write);

  // Memory: the open alert a recovery closes, as the state file has it.
  bool recall(const Event& recovery, Alert& out) override;
  // Memory: a firing event's channels are remembered now; a recovery of an open alert gets a
  // token for done().
  uint64_t decided(const Event& e, const std::vector<const Channel*>& to, const Alert* alert) override;
  // A token's event is finished at ch: delivered (a recovery then closes its alert there) or
  // not (dead-lettered: the alert stays open there, for the replay to close). Any thread.
  void done(uint64_t token, const Channel& ch, bool delivered);

  // The state failed during the run (said once on stderr; the route file alone decides from
  // then on): send exits 8.
  bool failed() const override { return failed_.load(); }
  // Says why on stderr, once, and stops using the state.
  void fail(const std::string& why);
  // Steps taken without the state because the shared Redis was away (state::Unavailable):
  // the route file alone routed those recoveries, and what those events would have
  // remembered or closed is not replayed. The state is asked again at the next event.
  uint64_t missed() const { return missed_.load(); }

 private:
  struct Pending {
    std::string alert_key;
    int64_t generation = 0;
    size_t left = 0;  // Channels still to finish.
  };
  bool usable() const { return store_ != nullptr && !failed(); }

  state::Store* store_;
  bool write_;
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> missed_{0};
  std::mutex mu_;  // pending_, next_.
  std::unordered_map<uint64_t, Pending> pending_;
  uint64_t next_ = 1;
};

}  // namespace cmrelay
