// The sender's libcurl side, and the only one: a multi handle with many requests in flight
// and connections reused, each request a Flight (job.h) POSTing what its target rendered.
// It decides nothing: what an answer means is the target's (outcome.h), what to do next
// the sender's. Internal to deliver/.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/deliver/job.h"

namespace cmrelay::deliver {

struct DeliveryOptions;

// What a finished transfer came to, besides the flight's response body and error buffer.
struct Ended {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::optional<std::chrono::milliseconds> retry_after;  // The Retry-After header, parsed.
  std::string location;                                  // A 3xx's Location, redacted.
};

class Transfers {
 public:
  explicit Transfers(const DeliveryOptions& options);
  ~Transfers();
  Transfers(const Transfers&) = delete;
  Transfers& operator=(const Transfers&) = delete;

  // The header list of a channel's requests: its target's, "Expect:" (no 100-continue
  // round trip), then its own. Freed with the Transfers.
  curl_slist* header_list(const std::vector<std::pair<std::string, std::string>>& target_headers,
                          const std::vector<std::pair<std::string, std::string>>& channel_headers);
  // A flight to fill (jobs, channel, request), from the pool.
  Flight* acquire();
  // POSTs the flight's request, within timeout.
  void start(Flight* flight, curl_slist* headers, std::chrono::milliseconds timeout);
  // Stops the flight's transfer (when it is still running) and returns it to the pool.
  void release(Flight* flight);
  // Returns a flight that was never started to the pool.
  void give_back(Flight* flight);
  // Runs the transfers.
  void run();
  // Runs the transfers; ended(flight, what) for each one that finished. The flight stays
  // the caller's until it calls release().
  void perform(const std::function<void(Flight*, const Ended&)>& ended);
  // Waits up to ms for the network, or wakeup().
  void wait(int ms);
  // Ends a wait() early; the one call any thread may make.
  void wakeup();
  size_t in_flight() const { return in_flight_; }

 private:
  const DeliveryOptions& options_;
  CURLM* multi_ = nullptr;
  std::vector<std::unique_ptr<Flight>> flights_;  // Every flight made; each keeps its handle.
  std::vector<Flight*> idle_;
  std::vector<curl_slist*> header_lists_;
  size_t in_flight_ = 0;
};

}  // namespace cmrelay::deliver
