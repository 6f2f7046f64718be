// The open-alert state of a fleet, in the Redis it shares (--shared): the same Store as the
// state file, so that a recovery landing on any host reaches where its firing went.
//
// Kept as (KEY is the alert_key, as it is):
//   cmrelay:alert:KEY  a hash: s severity, t title, c channels (a JSON array, in the order
//                      first sent to), f first_seen, l last_seen, g generation; it expires
//                      max_age after its last firing event (Redis's own TTL, so that it
//                      expires while no cmrelay runs), none with a max_age of 0
//   cmrelay:alerts     a sorted set of every KEY at score 0: the listing in key order
// Every change is one server-side script, so that two hosts at once never lose a channel.
// A KEY whose hash expired leaves the index when a listing meets it, and in a sweep run by
// one host of the fleet at most once per kExpireEvery.
#pragma once

#include <chrono>
#include <memory>

#include "net/state/redis_link.h"
#include "net/state/state.h"

namespace cmrelay::state {

class RedisStore final : public Store {
 public:
  // link outlives the store.
  RedisStore(RedisLink& link, std::chrono::seconds max_age);

  void remember(std::string_view alert_key, std::string_view severity, std::string_view title,
                const std::vector<std::string>& channels, int64_t now) override;
  bool find(std::string_view alert_key, OpenAlert& out) override;
  void closed(std::string_view alert_key, std::string_view channel, int64_t generation) override;
  bool forget(std::string_view alert_key) override;
  uint64_t forget_all() override;
  // Sweeps the index of alerts whose hash expired (Redis removed them by their TTL); now
  // is not needed. Returns how many left the index.
  uint64_t expire(int64_t now) override;
  // The sweep, when no host of the fleet ran one within kExpireEvery.
  void expire_if_due();
  std::string where() const override { return link_.address().shown(); }

 protected:
  void list_page(const std::string& after, std::vector<OpenAlert>& out) override;

 private:
  RedisLink& link_;
  std::chrono::seconds max_age_;
};

}  // namespace cmrelay::state
