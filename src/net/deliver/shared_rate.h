// A budget's windows shared by a fleet (--shared): every host that shares the Redis counts
// its request starts in the same place, so that the fleet together starts at most N
// requests in any window (margin included), as one host alone does (deliver/rate.h).
//
// Each window is a sorted set of the starts of every host, scored by the Redis server's
// clock in microseconds (the hosts' clocks never have to agree):
//   cmrelay:rate:BUDGET:COUNT/PERms   BUDGET the SHA-256 of the budget's name (it holds
//                                     the integration key), never readable in Redis
// One server-side script per request slot drops the starts that left each window and
// takes the slot only when every window has room, atomically; otherwise it answers how
// long until the oldest start that is in the way leaves. A host then waits that long and
// asks again: it waits for a slot, it never fails for want of one.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/state/redis_link.h"
#include "route/channel.h"

namespace cmrelay::deliver {

class SharedWindows {
 public:
  struct Window {
    Rate rate;
    std::chrono::microseconds span;  // The window plus the margin.
  };
  // link outlives this. budget_key: deliver::budget_key() of the budget (a secret).
  SharedWindows(state::RedisLink& link, std::string_view budget_key, const std::vector<Window>& windows);
  SharedWindows(const SharedWindows&) = delete;  // Holds views of itself.
  SharedWindows& operator=(const SharedWindows&) = delete;

  // Takes a slot when every window has room (returns 0), else returns the wait until one
  // may have room (> 0). Throws state::StateError (state::Unavailable when Redis is away).
  std::chrono::microseconds take();
  // Starts made while Redis was away, by their ages (now minus when), so that the fleet's
  // windows count them once it is back. Throws as take().
  void seed(const std::vector<std::chrono::microseconds>& ages);

 private:
  state::RedisLink& link_;
  std::vector<std::string> names_;             // The windows' keys.
  std::vector<std::string> texts_;             // Per window, its count and span (µs), as the scripts read them.
  std::vector<std::string_view> keys_, args_;  // Views of the above; args_[0] is the member.
  std::string member_;                         // A random prefix (unique in the fleet), then the sequence number.
  size_t prefix_ = 0;
  uint64_t seq_ = 0;
};

}  // namespace cmrelay::deliver
