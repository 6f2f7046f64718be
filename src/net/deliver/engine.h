// The one delivery loop, for send and serve. A Source hands events to the Sender (send: a
// reading thread that converts and routes input, through a bounded hand-over; serve: spool
// files); run() makes progress on the Sender, lets the source take more while the Sender has
// room, and watches the signals (cli/signals.h), at least every 100 ms. When SIGINT or SIGTERM
// comes it acts by the run's policy:
// - kStop (send): the source stops reading (standard input then reads as ended) and what was
//   read is still delivered or dead-lettered: the Sender, built with the signal count,
//   starts no attempt any more, lets the ones in flight finish and dead-letters the rest.
//   A second signal ends the run at once: the source abandons its reading, and what it handed
//   over is dead-lettered.
// - kStopAndDrain (serve): the source stops taking new work; what is in flight gets up to the
//   drain time to finish (the Sender, built without the signal count, keeps retrying), and
//   what does not stays with the source (the spool) for the next start. A second signal ends
//   the drain at once.
// The run ends when the source has nothing more and every event it handed over ended.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/signals.h"
#include "net/deliver/deadletter.h"
#include "net/deliver/sender.h"
#include "route/channel.h"

namespace cmrelay::deliver {

enum class OnStop { kStop, kStopAndDrain };

struct Policy {
  OnStop on_stop = OnStop::kStop;
  std::chrono::milliseconds drain{0};  // kStopAndDrain: the longest the drain may take.
};

// What the loop delivers from. Called on the loop's thread only.
class Source {
 public:
  virtual ~Source() = default;
  // Hands the Sender what is ready, without waiting for more (called while the Sender is not
  // full); false once nothing more will come.
  virtual bool take(Sender& sender) = 0;
  // Work taken and not ended that the run waits for beyond the Sender's queue.
  virtual bool unfinished() const { return false; }
  // Every turn of the loop (a progress line, a reload).
  virtual void tick() {}
  // Every turn once a stop signal came, with how many came: stop reading or accepting.
  virtual void stopping(int stops) { (void)stops; }
  // kStop, after a second signal: true when the run must end now (its reading abandoned,
  // what was handed over dead-lettered); false to go on (the reading had ended anyway).
  virtual bool abandon(Sender& sender) {
    (void)sender;
    return false;
  }
};

// The loop. With kStop the Sender must count signals.stops; with kStopAndDrain it must not.
void run(Source& source, Sender& sender, const Policy& policy, const signals::Received& signals);

// send's side: the reading side's end of the hand-over.
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

// send's run: read(feed) on a second thread (it must return once signals.stop is set), every
// event it hands over delivered through sender by run() with kStop; an event routed nowhere
// gets its dead-letter record. tick(bodies read so far) is called every turn (a progress
// line). The reading thread is woken by signals::wake() (install() first).
RunResult deliver_all(const std::function<void(Feed&)>& read, Sender& sender, DeadLetterFile& dead_letter,
                      const std::function<void(uint64_t)>& tick, const signals::Received& signals);

// The record of an event routed to no channel: channel "", error "routed to no channel"
// (a replay routes it again). False when the file did not take it (then it is on stderr).
bool dead_letter_unrouted(DeadLetterFile& dead_letter, std::string_view event_json);

}  // namespace cmrelay::deliver
