// The open-alert state: per alert_key, the channels its firing events were sent to, its
// severity and title, so that its recovery reaches every one of them, in this run or a later
// one, with several runs at once, and (kept in Redis) on whichever host of a fleet it lands.
// This header is the stage's interface; nothing else in cmrelay includes SQLite or hiredis.
// Every method may throw StateError (Unavailable, redis_link.h, when a shared Redis cannot be
// reached); callers decide what a failed state means (send: deliver anyway, then exit 8).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cmrelay::state {

// "FILE: reason" (SQLite's message, or what cmrelay found wrong): one line, no secrets (the
// file holds channel names, never URLs).
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The shared Redis cannot be reached now (refused, timed out, closed, or within an outage):
// the caller goes on without the state for this step; it is no fault of the data. Its text
// holds no secret.
class Unavailable : public StateError {
 public:
  using StateError::StateError;
};

struct OpenAlert {
  std::string alert_key;
  std::string severity;               // "Critical", "Warning" or "Info": what its last firing event said.
  std::string title;                  // Its last firing event's title.
  std::vector<std::string> channels;  // Channel names, in the order first sent to.
  int64_t first_seen = 0;             // Unix seconds.
  int64_t last_seen = 0;
  int64_t generation = 0;  // Changes with every firing event: see closed().
};

// $XDG_STATE_HOME/cmrelay/state.db, else $HOME/.local/state/cmrelay/state.db (the XDG base
// directory rules: a relative XDG_STATE_HOME is ignored); "" when neither can be worked out.
std::string default_path();

// Where the open alerts are kept: a file on this host (open_file) or the Redis a fleet
// shares (redis_store.h). Every method may be called from any thread.
class Store {
 public:
  virtual ~Store() = default;

  // A firing event was sent to channels: adds them to those remembered (a new alert starts
  // with them), records its severity and title, and starts a new generation.
  virtual void remember(std::string_view alert_key, std::string_view severity, std::string_view title,
                        const std::vector<std::string>& channels, int64_t now) = 0;
  // The alert, when it is open; false otherwise.
  virtual bool find(std::string_view alert_key, OpenAlert& out) = 0;
  // Its recovery was delivered to channel: the channel is forgotten, and the alert once no
  // channel is left. Nothing happens when a firing event came since the recovery looked the
  // alert up (generation differs): that one reopened it.
  virtual void closed(std::string_view alert_key, std::string_view channel, int64_t generation) = 0;

  // Every open alert, in alert_key order, a page at a time (the list may be long).
  template <class F>
  void each(F&& f) {
    std::vector<OpenAlert> page;
    std::string after;
    do {
      page.clear();
      list_page(after, page);
      for (const OpenAlert& a : page) f(a);
      if (!page.empty()) after = page.back().alert_key;
    } while (page.size() == kPage);
  }
  virtual bool forget(std::string_view alert_key) = 0;  // False when it was not open.
  virtual uint64_t forget_all() = 0;                    // How many were forgotten.
  // Removes entries last seen before now - max_age; returns how many.
  virtual uint64_t expire(int64_t now) = 0;
  // What messages name it by: the file, or the Redis URL without its password.
  virtual std::string where() const = 0;

 protected:
  static constexpr size_t kPage = 1000;
  // Up to kPage alerts whose key sorts after `after`, in key order (exactly kPage unless
  // the list ends).
  virtual void list_page(const std::string& after, std::vector<OpenAlert>& out) = 0;
};

// The state file: one SQLite file (WAL journal, a busy timeout for runs at once, a schema
// version, kSchemaVersion). Opens path, creating it (mode 0600) and its directory when
// absent, unless read_only (then a missing file throws). Entries not seen for max_age are
// removed (at most once per kExpireEvery, by whichever run comes first); a max_age of 0
// expires nothing. A file that is no SQLite database, of a newer schema, or that cannot be
// written throws.
constexpr int kSchemaVersion = 1;
constexpr int64_t kExpireEvery = 3600;  // Expired entries are looked for at most this often (a scan).
std::unique_ptr<Store> open_file(const std::string& path, std::chrono::seconds max_age, bool read_only = false);

}  // namespace cmrelay::state
