// What the sender says about single events, on stderr: each attempt (-v), each wait for a
// budget (-vv), each event it dead-letters (unless quiet); the lines are attempt_log.h's.
// Everything a server sent back is masked with the channel's secrets first (servers echo
// anything: the URL's secrets, a header's value). Internal to deliver/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/deliver/attempt_log.h"
#include "net/deliver/budget.h"
#include "net/deliver/job.h"

namespace cmrelay::deliver {

struct DeliveryOptions;
struct ChannelStats;

// What an outcome says, with the channel's secrets masked.
struct Redacted {
  Redacted(const Outcome& o, const std::vector<std::string>& secrets);
  std::string error, code, message, request_id;
};

class SenderLog {
 public:
  explicit SenderLog(const DeliveryOptions& options) : options_(options) {}

  // -v: the attempt that just ended; held_for: what it waited for before it started (its
  // budget), empty when nothing.
  void attempt(const Job& job, const ChannelStats& channel, const std::vector<std::string>& secrets,
               std::string_view result, Ms next_wait, std::string_view next_wait_for, std::string_view held_for);
  // The event was dead-lettered (r.error says why).
  void dead_lettered(const Job& job, const ChannelStats& channel, const Redacted& r);
  // -vv: a job waits for its budget.
  void waiting(const ChannelStats& channel, Ms wait, std::string_view why);

 private:
  AttemptLine line_of(const Job& job, const ChannelStats& channel, std::string_view what, const Redacted& r) const;
  void say(const AttemptLine& line);
  const DeliveryOptions& options_;
};

}  // namespace cmrelay::deliver
