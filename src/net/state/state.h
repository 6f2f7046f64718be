// The open-alert state: per alert_key, the channels its firing events were sent to, its
// severity and title, so that its recovery reaches every one of them, in this run or a later
// one, and with several runs at once. One SQLite file (WAL journal, a busy timeout for runs at
// once, a schema version); this header is the stage's whole interface and nothing else in
// cmrelay includes SQLite. Every method may throw StateError; callers decide what a failed
// state means (send: deliver anyway, then exit 8).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
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

class Store {
 public:
  static constexpr int kSchemaVersion = 1;
  // Expired entries are looked for at most this often (a scan of the whole table).
  static constexpr int64_t kExpireEvery = 3600;

  // Opens path, creating it (mode 0600) and its directory when absent, unless read_only
  // (then a missing file throws). Entries not seen for max_age are removed (at most once per
  // kExpireEvery, by whichever run comes first); a max_age of 0 expires nothing. A file that is no SQLite database, of
  // a newer schema, or that cannot be written throws.
  static std::unique_ptr<Store> open(const std::string& path, std::chrono::seconds max_age, bool read_only = false);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A firing event was sent to channels: adds them to those remembered (a new alert starts
  // with them), records its severity and title, and starts a new generation.
  void remember(std::string_view alert_key, std::string_view severity, std::string_view title,
                const std::vector<std::string>& channels, int64_t now);
  // The alert, when it is open; false otherwise.
  bool find(std::string_view alert_key, OpenAlert& out);
  // Its recovery was delivered to channel: the channel is forgotten, and the alert once no
  // channel is left. Nothing happens when a firing event came since the recovery looked the
  // alert up (generation differs): that one reopened it.
  void closed(std::string_view alert_key, std::string_view channel, int64_t generation);

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
  bool forget(std::string_view alert_key);  // False when it was not open.
  uint64_t forget_all();                    // How many were forgotten.
  // Removes entries last seen before now - max_age; returns how many.
  uint64_t expire(int64_t now);
  const std::string& path() const { return path_; }

 private:
  static constexpr size_t kPage = 1000;
  struct Db;
  Store(std::string path, std::chrono::seconds max_age);
  // Up to kPage alerts whose key sorts after `after`, in key order.
  void list_page(const std::string& after, std::vector<OpenAlert>& out);
  void expire_if_due();

  std::string path_;
  std::chrono::seconds max_age_;
  std::mutex mu_;  // One transaction at a time on the connection (reading and delivery threads).
  std::unique_ptr<Db> db_;
};

}  // namespace cmrelay::state
