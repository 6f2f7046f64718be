// Routing with memory: a recovery goes where its route points and to every channel its
// alert's firing events were sent to, as the state file remembers them (route file changed
// since, a condition on a value that differs on recovery, another run). send's and serve's
// side of the state; route.h alone decides by the route file.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "event/event.h"
#include "net/state/redis_link.h"
#include "net/state/state.h"
#include "route/route.h"

namespace cmrelay {

// Opens the state send and serve use: --state FILE, "none" (nullptr, no error), or "" for
// state::default_path(), or with shared (--shared) the fleet's, in Redis (option "" or
// "none" then). A dry run only reads, and an absent file there is no state (no error).
// nullptr with error set when it cannot be used.
std::unique_ptr<state::Store> open_state(const std::string& option, std::chrono::seconds max_age, bool dry_run,
                                         std::string& error, state::RedisLink* shared = nullptr);

class Recall {
 public:
  // store may be null (--state none, or a state that failed to open): the route file alone
  // decides. With write false (--dry-run) nothing is remembered or forgotten.
  Recall(const RouteTable& routes, state::Store* store, bool write);

  // Routes e into out (appended) and returns a token for done() (0: nothing to do). A
  // recovery whose body gave no alert severity takes the remembered one; then it goes to its
  // route's channels and to every remembered channel the route file still declares. A firing
  // event's channels are remembered before it is sent (a crash mid-run cannot forget them).
  uint64_t route(Event& e, std::vector<const Channel*>& out);
  // The same memory for an event whose channels were chosen otherwise (a dead-letter record
  // going back to its own channel): remembered, or looked up for done(), not added to.
  uint64_t note(const Event& e, const std::vector<const Channel*>& out);
  // A token's event is finished at ch: delivered (a recovery then closes its alert there) or
  // not (dead-lettered: the alert stays open there, for the replay to close). Any thread.
  void done(uint64_t token, const Channel& ch, bool delivered);

  // The state failed during the run (said once on stderr; the route file alone decides from
  // then on): send exits 8.
  bool failed() const { return failed_.load(); }
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
  uint64_t track(const Event& e, const std::vector<const Channel*>& out, const state::OpenAlert& open);
  const Channel* declared(const std::string& name) const;

  const RouteTable& routes_;
  state::Store* store_;
  bool write_;
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> missed_{0};
  std::mutex mu_;  // pending_, next_, warned_.
  std::unordered_map<uint64_t, Pending> pending_;
  uint64_t next_ = 1;
  std::unordered_set<std::string> warned_;  // Remembered channels the route file no longer has.
};

}  // namespace cmrelay
