#include "net/deliver/lanes.h"

namespace cmrelay::deliver {

Job* Lanes::add(std::unique_ptr<Job> job) {
  ++size_;
  auto& lane = lanes_[job->lane];
  Job* raw = job.get();
  lane.push_back(std::move(job));
  return lane.size() == 1 ? raw : nullptr;
}

Job* Lanes::finish(Job* job, bool dead, bool abandoned, const Bury& bury) {
  auto it = lanes_.find(job->lane);
  bool poison = dead && job->keyed;
  if (poison) dead_.insert(job->lane);
  it->second.pop_front();  // Destroys job.
  --size_;
  auto& lane = it->second;
  while ((poison || abandoned) && !lane.empty()) {
    bury(lane.front().get(), poison ? kEarlierDead : "interrupted");
    lane.pop_front();
    --size_;
  }
  if (!lane.empty()) return lane.front().get();
  if (forget_) dead_.erase(it->first);
  lanes_.erase(it);
  return nullptr;
}

void Lanes::abandon_idle(const Bury& bury) {
  for (auto it = lanes_.begin(); it != lanes_.end();) {
    auto& lane = it->second;
    if (lane.front()->flight != nullptr) {
      ++it;
      continue;
    }
    for (auto& job : lane) bury(job.get(), "interrupted");
    size_ -= lane.size();
    it = lanes_.erase(it);
  }
}

void Lanes::abandon_all(const std::unordered_set<const Job*>& in_flight, const Bury& bury) {
  for (auto& [name, lane] : lanes_) {
    for (auto& job : lane)
      bury(job.get(), in_flight.count(job.get()) > 0 ? "interrupted during an attempt" : "interrupted");
  }
  lanes_.clear();
  size_ = 0;
}

void Lanes::each_front(const std::function<void(Job*)>& f) {
  for (auto& [name, lane] : lanes_) f(lane.front().get());
}

}  // namespace cmrelay::deliver
