// The retry policy: after an attempt that did not deliver, whether the event is tried again
// and when. A throttled answer (429, or a target's "too fast") never spends --max-attempts
// (only --max-elapsed bounds it): without Retry-After it means "wait for the window", a wait
// doubling from --backoff-base up to the budget's longest window (--backoff-cap when it has
// none), with jitter. A wait never ends before a Retry-After, nor after --max-elapsed.
// Internal to deliver/.
#pragma once

#include <random>
#include <string>
#include <string_view>

#include "net/deliver/budget.h"
#include "net/deliver/job.h"

namespace cmrelay::deliver {

struct DeliveryOptions;

// Why the job is given up whatever the wait (a signal, --max-attempts, a Retry-After over
// --max-retry-after); empty when it may be retried. signals: SIGINT/SIGTERM seen so far.
std::string give_up_reason(const Job& job, const Outcome& outcome, const DeliveryOptions& options, int signals);

struct Wait {
  Ms wait{0};
  std::string_view why;  // "backoff", "Retry-After", "rate window (...)"
};

// The wait before the job's next attempt. A Retry-After the server addressed to the budget
// (budget_wait) pauses the whole budget; a throttled answer without one waits for the
// budget's window (Budget::window_wait).
Wait next_wait(const Job& job, const Outcome& outcome, Budget& budget, const DeliveryOptions& options,
               std::mt19937_64& rng, Clock::time_point now);

// Why the job is given up when its next wait would end after its deadline.
std::string past_deadline(const Job& job, Ms wait, std::string_view wait_for, Ms max_elapsed);

}  // namespace cmrelay::deliver
