#include "net/deliver/retry.h"

#include <cstdio>

#include "net/deliver/backoff.h"
#include "net/deliver/sender.h"

namespace cmrelay::deliver {

std::string give_up_reason(const Job& job, const Outcome& o, const DeliveryOptions& options, int signals) {
  if (signals > 0) return "interrupted before a retry";
  if (!o.throttled && job.attempts - job.throttled >= options.max_attempts) return "--max-attempts reached";
  if (o.retry_after && *o.retry_after > options.max_retry_after) {
    return "Retry-After of " + std::to_string(o.retry_after->count() / 1000) + " s is over --max-retry-after";
  }
  return {};
}

Wait next_wait(const Job& job, const Outcome& o, Budget& budget, const DeliveryOptions& options, std::mt19937_64& rng,
               Clock::time_point now) {
  Wait w{backoff_delay(job.attempts - job.throttled + (o.throttled ? 1 : 0), options.backoff_base, options.backoff_cap,
                       rng),
         "backoff"};
  if (o.retry_after) {
    w.wait = std::max(w.wait, *o.retry_after);  // Never sooner than asked.
    w.why = "Retry-After";
    if (o.budget_wait) budget.pause(now, now + *o.retry_after);
  } else if (o.throttled) {
    w.wait = budget.window_wait(job.started, now, options.backoff_base, options.backoff_cap, rng);
    w.why = o.http_status == 429 ? "rate window (429 without Retry-After)" : "rate window (throttled without a wait)";
  }
  return w;
}

std::string past_deadline(const Job& job, Ms wait, std::string_view wait_for, Ms max_elapsed) {
  auto fmt = [](Ms ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(ms.count()) / 1000);
    return std::string(buf);
  };
  Ms left = std::chrono::duration_cast<Ms>(job.first + max_elapsed - Clock::now());
  return "the next wait (" + fmt(wait) + ", " + std::string(wait_for) + ") would pass --max-elapsed (" +
         fmt(std::max(left, Ms(0))) + " left of " + fmt(max_elapsed) + " since the first attempt)";
}

}  // namespace cmrelay::deliver
