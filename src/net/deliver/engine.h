// The delivery loop of a run over input (send): the reading side converts and routes on a
// second thread, so that requests progress while input is slow to come, and hands each event
// over (a bounded inbox: memory stays bounded while input is fast); the calling thread hands
// them to the Sender and makes progress. Signals hand over the same way every time: the
// first SIGINT/SIGTERM stops the reading (standard input then reads as ended) and what was
// read is still delivered or dead-lettered; a second one ends the run at once, dead-lettering
// what is queued. serve (serve/relay.h) delivers from its spool instead, and shares the
// record of an event routed nowhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "net/deliver/deadletter.h"
#include "net/deliver/sender.h"
#include "route/channel.h"

namespace cmrelay::deliver {

// What SIGINT and SIGTERM set (process-wide).
struct Interrupts {
  std::atomic<int> count{0};      // Signals received (the Sender dead-letters its queue once > 0).
  std::atomic<int> first{0};      // The first one's number: the run exits 128 + it.
  std::atomic<bool> stop{false};  // Reading stops; the reading side may set it too (output failed).
};

// Installs the handlers (SIGINT, SIGTERM; SIGUSR1 wakes the reading thread; SIGPIPE is
// ignored, so that a closed stderr or dead-letter pipe cannot kill a run with events in
// flight) and returns what they set.
Interrupts& catch_interrupts();

// The reading side's end of the hand-over.
class Feed {
 public:
  virtual ~Feed() = default;
  // Around the events of one body (the progress line counts bodies; a second signal waits,
  // boundedly, for the body being handed over to be counted whole).
  virtual void body_begins() = 0;
  virtual void body_ends() = 0;
  // One event: its Flashduty JSON, where it goes (none: routed nowhere, dead-lettered as
  // such), and the state's token for the Sender's on_done.
  virtual void event(std::string_view body, const std::string& alert_key, const std::vector<const Channel*>& to,
                     uint64_t token) = 0;
};

struct RunResult {
  // False when a second signal left the reading thread blocked (on a FIFO named as input):
  // the caller must then end the process without unwinding (std::_Exit).
  bool joined = true;
  uint64_t not_handed = 0;       // Events converted after the second signal: not sent.
  uint64_t unrouted_failed = 0;  // Records of unrouted events the dead-letter file did not take.
};

// Runs read(feed) on a second thread (it must return once interrupts.stop is set) and
// delivers everything it hands over through sender; an event routed nowhere gets its
// dead-letter record. tick(bodies read so far) is called at least every 100 ms (a progress
// line). Needs catch_interrupts() first.
RunResult deliver_all(const std::function<void(Feed&)>& read, Sender& sender, DeadLetterFile& dead_letter,
                      const std::function<void(uint64_t)>& tick);

// The record of an event routed to no channel: channel "", error "routed to no channel"
// (a replay routes it again). False when the file did not take it (then it is on stderr).
bool dead_letter_unrouted(DeadLetterFile& dead_letter, std::string_view event_json);

}  // namespace cmrelay::deliver
