#include "route/dispatch.h"

#include <algorithm>

#include "report/diag.h"

namespace cmrelay {

bool RunMemory::recall(const Event& recovery, Alert& out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(recovery.alert_key);
  if (it == open_.end()) return false;
  out = it->second;
  return true;
}

uint64_t RunMemory::decided(const Event& e, const std::vector<const Channel*>& to, const Alert* alert) {
  if (e.alert_key.empty() || to.empty()) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (e.status == Status::Ok) {
    if (alert != nullptr) open_.erase(e.alert_key);  // No delivery to wait for: closed once decided.
    return 0;
  }
  Alert& a = open_[e.alert_key];
  a.severity = e.status;
  ++a.generation;
  for (const Channel* c : to) {
    if (std::find(a.channels.begin(), a.channels.end(), c->name) == a.channels.end()) a.channels.push_back(c->name);
  }
  return 0;
}

Dispatch::Dispatch(const RouteTable& routes, Memory* memory) : routes_(&routes), memory_(memory) {}

Dispatch::Dispatch(const Channel& only) : only_(&only) {}

const Channel* Dispatch::declared(const std::string& name) const {
  for (const Channel& c : routes_->channels()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

uint64_t Dispatch::decide(Event& e, std::vector<const Channel*>& out, DispatchExplanation* why) {
  out.clear();
  if (why != nullptr) *why = DispatchExplanation();
  if (only_ != nullptr) {
    out.push_back(only_);
    return 0;
  }
  // Asked before routing: a recovery whose body gave no severity is routed with its alert's.
  Memory::Alert alert;
  const bool known = memory_ != nullptr && e.status == Status::Ok && !e.alert_key.empty() && memory_->recall(e, alert);
  if (known && e.alert_severity == Status::Ok) e.alert_severity = alert.severity;
  if (!e.replay_channel.empty()) {
    if (const Channel* back = declared(e.replay_channel)) {
      // Only there: the other channels its event routes to already had it.
      out.push_back(back);
      if (why != nullptr) why->replayed = e.replay_channel;
      return memory_ != nullptr ? memory_->decided(e, out, known ? &alert : nullptr) : 0;
    }
    if (why != nullptr) why->undeclared = e.replay_channel;  // Routed afresh.
  }
  if (why != nullptr) {
    routes_->explain(e, why->cases);
    why->evaluated = true;
    out = why->cases.channels;
  } else {
    routes_->route(e, out);
  }
  if (known) add_remembered(e, alert, out, why);
  return memory_ != nullptr ? memory_->decided(e, out, known ? &alert : nullptr) : 0;
}

void Dispatch::add_remembered(const Event& e, const Memory::Alert& alert, std::vector<const Channel*>& out,
                              DispatchExplanation* why) {
  if (why != nullptr) {
    why->recalled = true;
    why->remembered = alert.channels;
  }
  for (const std::string& name : alert.channels) {
    if (const Channel* ch = declared(name)) {
      if (std::find(out.begin(), out.end(), ch) != out.end()) continue;
      out.push_back(ch);
      if (why != nullptr) why->added.push_back(name);
      continue;
    }
    std::lock_guard<std::mutex> lock(warned_mu_);
    if (warned_.insert(name).second) {
      diag::say(
          "state: alert %s was sent to channel '%s', which %s no longer declares: its recovery "
          "cannot close it there",
          e.alert_key.c_str(), name.c_str(), routes_->path().c_str());
    }
  }
}

}  // namespace cmrelay
