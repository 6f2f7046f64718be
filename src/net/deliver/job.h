// What the sender holds per event (a Job) and per request (a Flight: one request carries
// one event, or several merged into a digest by a message target). Internal to deliver/.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/deliver/outcome.h"
#include "target/target.h"

namespace cmrelay::deliver {

using Clock = std::chrono::steady_clock;

struct Flight;

struct Job {
  std::shared_ptr<const std::string> body;  // The Flashduty standard event.
  size_t channel = 0;                       // Index into the sender's channel tables.
  std::string lane;                         // Events of one lane go one at a time, in order.
  bool keyed = false;                       // The lane is a (channel, alert_key); else the event's own.
  uint64_t tag = 0;                         // The caller's, reported back by the hooks.
  int attempts = 0;
  int throttled = 0;  // Of attempts: answered "too fast" (not counted against --max-attempts).
  Clock::time_point first{};
  Clock::time_point started{};  // Of the attempt in flight (or the last one).
  Clock::time_point held{};     // Since when it waits for its budget (rate limit or pause).
  std::string_view held_for;    // kRateLimit or kPause; empty when it did not wait.
  bool in_budget_queue = false;
  bool retrying = false;  // Waiting for a retry.
  Outcome last;
  Flight* flight = nullptr;  // Set while an attempt is in flight.

  // The alert_key of a keyed lane; empty otherwise.
  std::string_view alert_key() const {
    return keyed ? std::string_view(lane).substr(lane.find('\n') + 1) : std::string_view();
  }
};

// One request in flight, with its libcurl handle (kept from request to request, so that
// connections are reused) and what the server sent back.
struct Flight {
  std::vector<Job*> jobs;  // The events it carries, in order; at least one.
  size_t channel = 0;
  target::Request request;
  std::string response;  // At most kMaxResponse bytes of the answer.
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* easy = nullptr;
};

}  // namespace cmrelay::deliver
