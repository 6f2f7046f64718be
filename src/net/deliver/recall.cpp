#include "net/deliver/recall.h"

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

Recall::Recall(state::Store* store, bool write) : store_(store), write_(write) {}

void Recall::fail(const std::string& why) {
  if (failed_.exchange(true)) return;
  diag::say("state %s; the route file alone routes recoveries for the rest of this run", why.c_str());
}

bool Recall::recall(const Event& recovery, Alert& out) {
  if (!usable()) return false;
  state::OpenAlert open;
  try {
    if (!store_->find(recovery.alert_key, open)) return false;
  } catch (const state::Unavailable&) {
    missed_.fetch_add(1);
    return false;  // The route file alone routes it, as without state.
  } catch (const state::StateError& x) {
    fail(x.what());
    return false;
  }
  out.severity = parse_status(open.severity).value_or(Status::Ok);
  out.channels = std::move(open.channels);
  out.generation = open.generation;
  return true;
}

uint64_t Recall::decided(const Event& e, const std::vector<const Channel*>& to, const Alert* alert) {
  if (!usable() || !write_ || to.empty() || e.alert_key.empty()) return 0;
  if (e.status != Status::Ok) {
    std::vector<std::string> names;
    names.reserve(to.size());
    for (const Channel* c : to) names.push_back(c->name);
    try {
      store_->remember(e.alert_key, status_name(e.status), e.title, names, static_cast<int64_t>(std::time(nullptr)));
    } catch (const state::Unavailable&) {
      missed_.fetch_add(1);
    } catch (const state::StateError& x) {
      fail(x.what());
    }
    return 0;
  }
  if (alert == nullptr) return 0;  // No open alert to close.
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t token = next_++;
  pending_.emplace(token, Pending{e.alert_key, alert->generation, to.size()});
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
