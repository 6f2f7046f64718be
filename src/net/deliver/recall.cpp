#include "net/deliver/recall.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "net/state/redis_store.h"
#include "report/diag.h"
#include "vendors/severity.h"

namespace cmrelay {

std::unique_ptr<state::Store> open_state(const std::string& option, std::chrono::seconds max_age, bool dry_run,
                                         std::string& error, state::RedisLink* shared) {
  if (option == "none") return nullptr;
  if (shared != nullptr) {
    auto store = std::make_unique<state::RedisStore>(*shared, max_age);
    try {
      if (!dry_run) store->expire_if_due();
    } catch (const state::StateError&) {
      // Away (said by the link) or refused: the sweep waits for the next start.
    }
    return store;
  }
  std::string path = option.empty() ? state::default_path() : option;
  if (path.empty()) {
    error =
        "file: no default location (neither XDG_STATE_HOME nor HOME is an absolute path): give --state FILE or "
        "--state none";
    return nullptr;
  }
  if (dry_run && !std::filesystem::exists(path)) return nullptr;
  try {
    return state::open_file(path, max_age, dry_run);
  } catch (const state::StateError& x) {
    error = x.what();
  }
  return nullptr;
}

Recall::Recall(const RouteTable& routes, state::Store* store, bool write)
    : routes_(routes), store_(store), write_(write) {}

void Recall::fail(const std::string& why) {
  if (failed_.exchange(true)) return;
  diag::say("state %s; the route file alone routes recoveries for the rest of this run", why.c_str());
}

const Channel* Recall::declared(const std::string& name) const {
  for (const Channel& c : routes_.channels()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

uint64_t Recall::route(Event& e, std::vector<const Channel*>& out) {
  out.clear();
  state::OpenAlert open;
  bool known = false;
  if (store_ != nullptr && !failed() && e.status == Status::Ok && !e.alert_key.empty()) {
    try {
      known = store_->find(e.alert_key, open);
    } catch (const state::Unavailable&) {
      missed_.fetch_add(1);
    } catch (const state::StateError& x) {
      fail(x.what());
    }
    // The body said nothing of its alert (a standard event read back): the severity it fired with.
    if (known && e.alert_severity == Status::Ok) e.alert_severity = parse_status(open.severity).value_or(Status::Ok);
  }
  routes_.route(e, out);
  for (const std::string& name : open.channels) {
    const Channel* ch = declared(name);
    if (ch != nullptr) {
      if (std::find(out.begin(), out.end(), ch) == out.end()) out.push_back(ch);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (warned_.insert(name).second) {
      diag::say(
          "state: alert %s was sent to channel '%s', which %s no longer declares: its recovery "
          "cannot close it there",
          e.alert_key.c_str(), name.c_str(), routes_.path().c_str());
    }
  }
  return track(e, out, open);
}

uint64_t Recall::note(const Event& e, const std::vector<const Channel*>& out) {
  state::OpenAlert open;
  if (store_ == nullptr || failed() || e.status != Status::Ok || e.alert_key.empty()) return track(e, out, open);
  try {
    if (store_->find(e.alert_key, open)) return track(e, out, open);
  } catch (const state::Unavailable&) {
    missed_.fetch_add(1);
  } catch (const state::StateError& x) {
    fail(x.what());
  }
  return 0;  // No open alert to close.
}

// A firing event: remembered now. A recovery of an open alert: a token for done().
uint64_t Recall::track(const Event& e, const std::vector<const Channel*>& out, const state::OpenAlert& open) {
  if (store_ == nullptr || failed() || !write_ || out.empty() || e.alert_key.empty()) return 0;
  if (e.status != Status::Ok) {
    std::vector<std::string> names;
    names.reserve(out.size());
    for (const Channel* c : out) names.push_back(c->name);
    try {
      store_->remember(e.alert_key, status_name(e.status), e.title, names, static_cast<int64_t>(std::time(nullptr)));
    } catch (const state::Unavailable&) {
      missed_.fetch_add(1);
    } catch (const state::StateError& x) {
      fail(x.what());
    }
    return 0;
  }
  if (open.alert_key.empty()) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t token = next_++;
  pending_.emplace(token, Pending{open.alert_key, open.generation, out.size()});
  return token;
}

void Recall::done(uint64_t token, const Channel& ch, bool delivered) {
  if (token == 0) return;
  std::string key;
  int64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(token);
    if (it == pending_.end()) return;
    key = it->second.alert_key;
    generation = it->second.generation;
    if (--it->second.left == 0) pending_.erase(it);
  }
  if (!delivered || failed()) return;
  try {
    store_->closed(key, ch.name, generation);
  } catch (const state::Unavailable&) {
    missed_.fetch_add(1);
  } catch (const state::StateError& x) {
    fail(x.what());
  }
}

}  // namespace cmrelay
