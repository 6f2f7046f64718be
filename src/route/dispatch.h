// Where an event goes: the one decision, for every command that asks it (convert --routes,
// routes test, send, serve), so that what one shows is what the others do.
//
// - With a route file: where its cases route the event. A recovery also goes to every channel
//   its alert's firing events were sent to, as a Memory (the open-alert state) remembers them
//   and the route file still declares them; when its body gave no alert severity, it is routed
//   with the remembered one. A remembered channel the file no longer declares is said once
//   (stderr) and left out.
// - A replayed dead-letter record's event (Event::replay_channel, set by its decoder): back to
//   the channel the record names when the route file declares it, else routed afresh as above.
//   (The pipeline admits such records only from --replay input: live input never names its
//   own channel.)
// - With one --url channel: that channel, for every event, replayed ones included; no memory.
//
// Nothing here sends, prints to stdout or keeps a file: a Memory is the caller's (net/deliver/
// recall.h keeps it in the SQLite state; route_cases keeps one for a case's alert), and an
// event routed nowhere is the caller's to dead-letter or report. route() may be called from
// several threads at once when the Memory may (both memories here may).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "event/event.h"
#include "route/route.h"

namespace cmrelay {

// What dispatch asks of the open-alert state.
class Memory {
 public:
  // What it remembers of the open alert a recovery closes.
  struct Alert {
    Status severity = Status::Ok;       // The severity it fired with; Ok when unknown.
    std::vector<std::string> channels;  // Where its firing events went, in the order first sent to.
    int64_t generation = 0;             // The memory's own mark of which firing the recovery closes.
  };
  virtual ~Memory() = default;
  // The open alert recovery (status Ok, an alert_key) closes: false when none is known.
  virtual bool recall(const Event& recovery, Alert& out) = 0;
  // e goes to `to`: a firing event's channels are remembered (before it is sent, so a crash
  // cannot forget them). alert is what recall() gave for a recovery (nullptr: none known).
  // Returns the memory's token for the end of each delivery (0: nothing to tell it).
  virtual uint64_t decided(const Event& e, const std::vector<const Channel*>& to, const Alert* alert) = 0;
  // The memory could not be used at some point (said once on stderr; from then on the route
  // file alone decides): the run exits 8.
  virtual bool failed() const { return false; }
};

// A memory of one run, kept in this process: a firing event's channels, until its recovery
// is decided (what a state file that starts empty would do in one run; routes test --cases).
class RunMemory : public Memory {
 public:
  bool recall(const Event& recovery, Alert& out) override;
  uint64_t decided(const Event& e, const std::vector<const Channel*>& to, const Alert* alert) override;

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Alert> open_;
};

// routes test's view of one decision, beyond the channels.
struct DispatchExplanation {
  RouteExplanation cases;               // The route file's verdicts (cleared when its cases were not evaluated).
  bool evaluated = false;               // The cases were evaluated (not for a replay back to its channel).
  std::string replayed;                 // The channel a replayed record went back to.
  std::string undeclared;               // A replayed record's channel the route file no longer declares.
  bool recalled = false;                // The memory knew the recovery's alert.
  std::vector<std::string> remembered;  // Where the memory says its alert went.
  std::vector<std::string> added;       // Of those, the channels the route file did not give.
};

class Dispatch {
 public:
  // Routes by routes (which must outlive this), recoveries with memory too when given.
  explicit Dispatch(const RouteTable& routes, Memory* memory = nullptr);
  // Every event to only (--url), which must outlive this.
  explicit Dispatch(const Channel& only);
  Dispatch(const Dispatch&) = delete;
  Dispatch& operator=(const Dispatch&) = delete;

  // Sets out to the channels e goes to (empty: routed nowhere) and returns the memory's token
  // for it (0 without one). May set e.alert_severity (a recovery, from the memory). Allocates
  // nothing beyond out's growth unless a memory is asked (a recovery, with one).
  uint64_t route(Event& e, std::vector<const Channel*>& out) { return decide(e, out, nullptr); }
  // The same decision, explained (routes test).
  uint64_t explain(Event& e, std::vector<const Channel*>& out, DispatchExplanation& why) {
    return decide(e, out, &why);
  }

  const RouteTable* routes() const { return routes_; }

 private:
  uint64_t decide(Event& e, std::vector<const Channel*>& out, DispatchExplanation* why);
  const Channel* declared(const std::string& name) const;
  void add_remembered(const Event& e, const Memory::Alert& alert, std::vector<const Channel*>& out,
                      DispatchExplanation* why);

  const RouteTable* routes_ = nullptr;
  const Channel* only_ = nullptr;
  Memory* memory_ = nullptr;
  std::mutex warned_mu_;
  std::unordered_set<std::string> warned_;  // Remembered channels the route file no longer has, said once.
};

}  // namespace cmrelay
