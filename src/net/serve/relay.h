// Delivery from the spool: reads each spool file with the same Pipeline as every command,
// routes its events with route/dispatch.h (route file and open-alert state, or one URL
// channel), and hands them to its deliver::Sender, which the one delivery loop
// (deliver/engine.h, kStopAndDrain) drives. A file leaves the spool only when every event from
// it ended, delivered or dead-lettered; a body that cannot be decoded moves to the rejected
// folder; a vendor retry of a delivery already taken (serve/seen.h; with --shared, by any host
// of the fleet: serve/shared_seen.h) is removed without a second delivery. Single-threaded:
// run on one thread; only notify() may be called from others.
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
#include "net/serve/shared_seen.h"
#include "net/serve/smn.h"
#include "net/serve/spool.h"
#include "pipeline/pipeline.h"
#include "route/dispatch.h"
#include "route/route.h"

namespace cmrelay::serve {

struct RelayOptions {
  deliver::DeliveryOptions delivery;
  std::optional<Vendor> vendor;  // Forced vendor; nullopt detects any.
  size_t max_body = Framer::kDefaultMaxBody;
  // The open-alert state (--state), or null: with a route file, a recovery also goes where
  // its alert's firing events went (route/dispatch.h, deliver/recall.h). Outlives the Relay.
  state::Store* state = nullptr;
  std::string state_error;  // Why the state could not be opened: said once, routes alone decide.
  // --shared: vendor retries recognised across the fleet too (serve/shared_seen.h), beside
  // this host's own Seen. Null: this host's alone. Outlives the Relay.
  SharedSeen* shared_seen = nullptr;
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
  bool has_routes() const { return !dispatches_.empty(); }

  // A new file is in the spool (any thread).
  void notify();
  // Reads the spool files that are new (or all, once a second) while the Sender has room.
  void take_new();
  // Spool files taken but not finished.
  size_t files_in_progress() const { return files_.size(); }
  // What the delivery loop drives (built without the signal count: on a stop, what is not
  // delivered stays in the spool instead of being dead-lettered).
  deliver::Sender& sender() { return *sender_; }

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
    uint64_t token = 0;  // The state's (0: nothing to tell it).
    size_t left = 0;     // Channels still to end.
  };
  void relist();
  void take_all(const std::vector<SpoolFile>& files);
  void take(const SpoolFile& f);
  // A vendor retry of a request taken before: by this host (Seen), or by the fleet.
  bool duplicate(const std::string& key, const SpoolFile& f);
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
  // Every table loaded, each with its dispatch; the last is in use (events already handed to
  // the engine point at the channels of older ones).
  std::deque<RouteTable> tables_;
  std::deque<Dispatch> dispatches_;
  std::optional<Recall> recall_;  // With a route file: the open-alert state, shared by every table.
  std::unique_ptr<Channel> url_channel_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<deliver::Sender> sender_;
  std::map<uint64_t, File> files_;     // By id, the Sender tag of their events.
  std::set<std::string> taken_;        // Names of files in files_.
  std::map<uint64_t, Handed> handed_;  // By Sender tag.
  uint64_t next_id_ = 1;
  uint64_t next_tag_ = 1;
  std::atomic<bool> new_files_{true};
  bool behind_ = false;  // Files were left untaken (no room): listed again once there is.
  int64_t last_scan_ms_ = 0;
  std::vector<const Channel*> channels_;  // Scratch.
  std::string reject_reason_;             // Scratch: set by the pipeline's on_reject.
  bool shared_seen_said_ = false;         // An error reply of the shared dedup was logged.
  std::string reading_;                   // The spool file being read, for on_reject.
};

}  // namespace cmrelay::serve
