// The order of events: one lane per (channel, alert_key), whose events go one at a time, in
// the order they came, so that a recovery never lands before its firing. Once an event of
// a keyed lane is dead-lettered, the lane's later events follow it into the dead-letter
// file (for the rest of the run, or, with forget, until the lane empties), so that a replay
// keeps their order too. The lanes own the jobs. Internal to deliver/.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "net/deliver/job.h"

namespace cmrelay::deliver {

inline constexpr std::string_view kEarlierDead = "an earlier event of this alert_key was dead-lettered";

class Lanes {
 public:
  // Dead-letters one job, for the reason given (called before the job is destroyed).
  using Bury = std::function<void(Job*, std::string_view why)>;

  explicit Lanes(bool forget) : forget_(forget) {}

  // The job's lane has dead-lettered an event: the job must follow it.
  bool dead(const Job& job) const { return job.keyed && dead_.count(job.lane) > 0; }
  // A job of this lane is queued.
  bool busy(const Job& job) const { return lanes_.count(job.lane) > 0; }
  // Queues the job; returns it when it heads its lane (ready to start), else nullptr.
  Job* add(std::unique_ptr<Job> job);
  // The job ended (dead: it was dead-lettered) and is destroyed. When it was dead-lettered,
  // or after a signal (abandoned), the rest of a keyed lane is buried behind it. Returns the
  // next job of its lane, ready to start, or nullptr.
  Job* finish(Job* job, bool dead, bool abandoned, const Bury& bury);
  // First signal: every lane without an attempt in flight is buried now ("interrupted"). A
  // lane whose first job is in flight follows it when it ends, keeping the input order.
  void abandon_idle(const Bury& bury);
  // Second signal: everything, each lane in order; jobs in in_flight were being attempted.
  void abandon_all(const std::unordered_set<const Job*>& in_flight, const Bury& bury);
  // Calls f on the first job of each lane (the only one that may be in flight).
  void each_front(const std::function<void(Job*)>& f);
  // Jobs queued, not yet delivered or dead-lettered.
  size_t size() const { return size_; }

 private:
  std::unordered_map<std::string, std::deque<std::unique_ptr<Job>>> lanes_;
  std::unordered_set<std::string> dead_;
  bool forget_;
  size_t size_ = 0;
};

}  // namespace cmrelay::deliver
