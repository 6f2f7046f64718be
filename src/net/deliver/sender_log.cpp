#include "net/deliver/sender_log.h"

#include <cstdio>

#include "net/deliver/sender.h"
#include "text/url_redact.h"

namespace cmrelay::deliver {

Redacted::Redacted(const Outcome& o, const std::vector<std::string>& secrets)
    : error(mask_secrets(o.error, secrets)),
      code(mask_secrets(o.error_code, secrets)),
      message(mask_secrets(o.error_message, secrets)),
      request_id(mask_secrets(o.request_id, secrets)) {}

AttemptLine SenderLog::line_of(const Job& job, const ChannelStats& channel, std::string_view what,
                               const Redacted& r) const {
  AttemptLine l;
  l.what = what;
  l.channel = channel.name;
  l.url = channel.url;
  l.alert_key = job.alert_key();
  l.attempt = job.attempts;
  l.http_status = job.last.http_status;
  l.error_code = r.code;
  l.request_id = r.request_id;
  return l;
}

void SenderLog::say(const AttemptLine& l) {
  if (options_.before_line) options_.before_line();
  std::string line = format_attempt_line(l, options_.log_json);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void SenderLog::attempt(const Job& job, const ChannelStats& channel, const std::vector<std::string>& secrets,
                        std::string_view result, Ms next_wait, std::string_view next_wait_for,
                        std::string_view held_for) {
  if (options_.verbosity < 1) return;
  Redacted r(job.last, secrets);
  AttemptLine l = line_of(job, channel, "attempt", r);
  l.error = r.error;
  l.result = result;
  if (!held_for.empty()) {
    l.waited = std::chrono::duration_cast<Ms>(job.started - job.held);
    l.waited_for = held_for;
  }
  l.next_wait = next_wait;
  l.next_wait_for = next_wait_for;
  say(l);
}

void SenderLog::dead_lettered(const Job& job, const ChannelStats& channel, const Redacted& r) {
  AttemptLine l = line_of(job, channel, "dead-lettered", r);
  l.reason = r.error;
  say(l);
}

void SenderLog::waiting(const ChannelStats& channel, Ms wait, std::string_view why) {
  AttemptLine l;
  l.what = "waiting";
  l.channel = channel.name;
  l.url = channel.url;
  l.waited = wait;
  l.waited_for = why;
  say(l);
}

}  // namespace cmrelay::deliver
