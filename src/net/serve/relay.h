// Delivery from the spool: reads each spool file with the same Pipeline as every command,
// routes its events (route file or one URL channel), and hands them to the delivery engine
// (deliver::Sender). A file leaves the spool only when every event from it ended, delivered
// or dead-lettered; a body that cannot be decoded moves to the rejected folder; a vendor
// retry of a delivery already taken (serve/seen.h) is removed without a second delivery.
// Single-threaded: run on one thread; only notify() may be called from others.
#pragma once

#include <rapidjson/stringbuffer.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "net/deliver/deadletter.h"
#include "net/deliver/recall.h"
#include "net/deliver/sender.h"
#include "net/serve/log.h"
#include "net/serve/metrics.h"
#include "net/serve/seen.h"
#include "net/serve/smn.h"
#include "net/serve/spool.h"
#include "pipeline/pipeline.h"
#include "route/route.h"

namespace cmrelay::serve {

struct RelayOptions {
  deliver::DeliveryOptions delivery;
  std::optional<Vendor> vendor;  // Forced vendor; nullopt detects any.
  size_t max_body = Framer::kDefaultMaxBody;
  // The open-alert state (--state), or null: with a route file, a recovery also goes where
  // its alert's firing events went (deliver/recall.h). Outlives the Relay.
  state::Store* state = nullptr;
  std::string state_error;  // Why the state could not be opened: said once, routes alone decide.
  // Shown every rejected body, to act on SMN's subscription handshake; null: none. Outlives the Relay.
  SmnConfirm* smn = nullptr;
};

class Relay {
 public:
  Relay(RelayOptions options, Spool& spool, Seen& seen, Metrics& metrics, const Log& log,
        deliver::DeadLetterFile& dead_letter);
  ~Relay();

  // Where events go: the route file's channels, or one channel for every event (paced at
  // rates when rate_set, as send --rate). The table
  // replaces the one before for files read from now on; older tables are kept, since
  // events already handed to the engine point at their channels.
  void use_routes(RouteTable routes);
  void use_url(const std::string& url, const std::vector<Rate>& rates = {}, bool rate_set = false);
  bool has_routes() const { return routes_ != nullptr || url_channel_ != nullptr; }

  // A new file is in the spool (any thread).
  void notify();
  // Reads new spool files while the engine has room, then makes progress for up to
  // max_wait_ms. With accept false, no new file is read (shutting down).
  void step(int max_wait_ms, bool accept = true);
  // Spool files taken but not finished.
  size_t files_in_progress() const { return files_.size(); }

 private:
  struct File {
    SpoolFile spool;
    std::vector<std::string> keys;  // Dedup keys of its records.
    size_t pending = 0;             // Events handed over and not yet ended.
    bool reading = false;
    std::string reject_reason;  // Set when a body of it was rejected.
    bool unreadable = false;    // Reading it failed (EIO...): it stays in the spool.
  };
  // One event handed to the engine (its Sender tag): its file and its state token.
  struct Handed {
    uint64_t file = 0;
    Recall* recall = nullptr;  // Null: no route file.
    uint64_t token = 0;
    size_t left = 0;  // Channels still to end.
  };
  void scan();
  void take(const SpoolFile& f);
  void route_event(uint64_t id, File& file, Event e, rapidjson::StringBuffer& sb);
  void unrouted(const Event& e, std::string_view body);
  void done(uint64_t tag, const Channel& channel, bool delivered);
  void attempted(const deliver::AttemptReport& r);
  void finish_if_done(uint64_t id);
  void make_pipeline(const SeverityTable* severity);

  RelayOptions options_;
  Spool& spool_;
  Seen& seen_;
  Metrics& metrics_;
  const Log& log_;
  deliver::DeadLetterFile& dead_letter_;
  std::deque<RouteTable> tables_;  // Every table loaded; the last is in use.
  const RouteTable* routes_ = nullptr;
  std::deque<Recall> recalls_;  // One per table, the last in use (a Recall routes by its table).
  std::unique_ptr<Channel> url_channel_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<deliver::Sender> sender_;
  std::map<uint64_t, File> files_;     // By id, the Sender tag of their events.
  std::set<std::string> taken_;        // Names of files in files_.
  std::map<uint64_t, Handed> handed_;  // By Sender tag.
  uint64_t next_id_ = 1;
  uint64_t next_tag_ = 1;
  std::atomic<bool> new_files_{true};
  int64_t last_scan_ms_ = 0;
  std::vector<const Channel*> channels_;  // Scratch.
  std::string reject_reason_;             // Scratch: set by the pipeline's on_reject.
  std::string reading_;                   // The spool file being read, for on_reject.
};

}  // namespace cmrelay::serve
