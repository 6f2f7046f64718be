// Vendor retries recognised across a fleet (--shared): a cloud that got no answer from one
// host retries on whichever host the load balancer picks, and the fleet delivers it once.
//
// Beside each host's own Seen (serve/seen.h), a request's dedup_key() is claimed in Redis
// with one atomic set-if-absent with expiry (SET NX PX, --dedup-window) when its spool file
// is read for delivery, by that file: the value is the spool's identity (SPOOL/.fleet-id,
// made once, so that a replacement host that re-attaches the spool is the same owner) and
// the file's name. A key claimed by another file is a retry of a delivery that file makes:
// this one is dropped. A key claimed by this very file (read again after a crash or a
// restart) is delivered: a file is never taken for a duplicate of itself. The claim is made
// only once the file is durably in a spool, so that no claim can stand for a request that
// was lost; two copies read at once on two hosts before either claimed would both be
// delivered (at least once, never lost).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "net/state/redis_link.h"

namespace cmrelay::serve {

// The spool's identity in the fleet: SPOOL/.fleet-id (random, made on first use, 0600).
// False with error set when it can neither be read nor made.
bool spool_identity(const std::string& spool_dir, std::string& id, std::string& error);

class SharedSeen {
 public:
  // link outlives this; owner is the spool's identity.
  SharedSeen(state::RedisLink& link, std::chrono::milliseconds window, std::string owner);

  // True when another request (another file, on any host) claimed key within the window:
  // this one is a retry, delivered there. False when key is now this file's, or already
  // was. Throws state::StateError (state::Unavailable when Redis is away).
  bool taken_elsewhere(const std::string& key, std::string_view file);

 private:
  state::RedisLink& link_;
  std::string window_ms_;
  std::string owner_;
};

}  // namespace cmrelay::serve
