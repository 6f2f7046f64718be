// SMN's subscription handshake, for serve. Huawei Cloud Simple Message Notification (which
// carries Cloud Eye alarms) first posts a SubscriptionConfirmation, and delivers nothing until
// its subscribe_url is visited. serve confirms it by one GET to that URL, only when the URL's
// host is an allowed one (--smn-confirm-host), at most once per URL in a run, on a thread of
// its own so that delivery never waits for it. An UnsubscribeConfirmation is only logged. Every
// outcome is one "smn" log line, the URL redacted. The body itself is kept as any rejected body
// is (the spool's rejected folder): it carries no alarm.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "input/record.h"
#include "json/parser.h"
#include "net/serve/log.h"

namespace cmrelay::serve {

struct SmnOptions {
  // Hosts a subscribe_url may point at: a name (any case), or "*.SUFFIX" for any name under it.
  std::vector<std::string> hosts;
  std::string cacert;  // --cacert, as for deliveries; empty: the system's.
  std::chrono::milliseconds timeout{10000};
};

// Huawei Cloud's consoles, where SMN's subscribe_url points, and its SMN endpoints.
std::vector<std::string> default_smn_hosts();

// True when url may be visited: http or https, its host one of hosts, and https unless the host
// is a loopback address. Else why not, in one sentence.
bool smn_url_allowed(std::string_view url, const std::vector<std::string>& hosts, std::string& why);

class SmnConfirm {
 public:
  SmnConfirm(SmnOptions options, const Log& log);
  ~SmnConfirm();  // Stops: a GET under way ends within the timeout; queued ones are dropped, said.
  SmnConfirm(const SmnConfirm&) = delete;
  SmnConfirm& operator=(const SmnConfirm&) = delete;

  // A body serve rejected (from one thread, the relay's): acted upon when it is SMN's
  // handshake, else ignored. file names the spool file in the log.
  void offer(const Record& rec, std::string_view file);

 private:
  struct Job {
    std::string url, topic, file;
  };
  void run();
  void confirm(const Job& job);

  SmnOptions options_;
  const Log& log_;
  json::Parser parser_;            // The relay thread's.
  std::set<std::string> offered_;  // subscribe_urls queued or confirmed this run (bounded).
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace cmrelay::serve
