#include "net/commands/send_report.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <string>

#include "report/diag.h"

namespace cmrelay::cli {

Totals add_up(const std::vector<deliver::ChannelStats>& stats) {
  Totals t;
  for (const auto& s : stats) {
    t.attempts += s.attempts;
    t.delivered += s.delivered;
    t.retried += s.retried;
    t.dead_lettered += s.dead_lettered;
    t.dead_letter_failed += s.dead_letter_failed;
    t.interrupted += s.interrupted;
    t.throttled += s.throttled;
  }
  return t;
}

std::string progress_text(uint64_t bodies, const deliver::SenderProgress& p, double seconds) {
  char line[256];
  auto u = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  std::snprintf(line, sizeof line,
                "sending: %llu bodies read, %llu delivered, %llu retrying, %llu queued, %llu dead-lettered, %.1f/s",
                u(bodies), u(p.delivered), u(p.retrying), u(p.queued - p.retrying), u(p.dead_lettered),
                seconds > 0 ? static_cast<double>(p.delivered) / seconds : 0.0);
  return line;
}

void report_text(const SendSummary& r) {
  const PipelineCounts& c = r.counts;
  const std::string& dead = r.dead_letter_path;
  Totals t = add_up(r.channels);
  auto u = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  // Where the records are: "(in FILE)", "(on stderr)", or, when the file did not take
  // some, "(N in FILE, M on stderr: FILE could not be written)".
  std::string where;
  if (t.dead_lettered > 0 && dead.empty()) {
    where = " (on stderr)";
  } else if (t.dead_lettered > 0 && t.dead_letter_failed == 0) {
    where = " (in " + dead + ")";
  } else if (t.dead_lettered > 0) {
    where = " (" + std::to_string(t.dead_lettered - t.dead_letter_failed) + " in " + dead + ", " +
            std::to_string(t.dead_letter_failed) + " on stderr: " + dead + " could not be written)";
  }
  diag::say(
      "send: %llu events read from %llu bodies, %llu rejected; %llu delivered, %llu retries, %llu dead-lettered%s",
      u(c.events), u(c.bodies), u(c.rejected), u(t.delivered), u(t.retried), u(t.dead_lettered), where.c_str());
  if (r.unrouted > 0) diag::say("send: %llu events routed to no channel (dead-lettered)", u(r.unrouted));
  if (c.unreadable > 0) diag::say("send: %llu input(s) could not be read", u(c.unreadable));
  if (c.skipped > 0) diag::say("send: %llu file(s) skipped", u(c.skipped));
  if (c.reject_failed > 0) {
    diag::say("send: %llu reject record(s) could not be written to the reject file", u(c.reject_failed));
  }
  if (r.interrupted) {
    diag::say("send: interrupted: input not read to the end; %llu queued events dead-lettered%s", u(t.interrupted),
              where.c_str());
  }
  for (const auto& s : r.channels) {
    diag::say("send:   %s %s: %llu events, %llu attempts, %llu delivered, %llu retries, %llu dead-lettered%s",
              s.name.c_str(), s.url.c_str(), u(s.events), u(s.attempts), u(s.delivered), u(s.retried),
              u(s.dead_lettered),
              s.dead_letter_failed > 0
                  ? (" (" + std::to_string(s.dead_letter_failed) + " on stderr: not written to the file)").c_str()
                  : "");
  }
}

void report_json(const SendSummary& r) {
  const PipelineCounts& c = r.counts;
  Totals t = add_up(r.channels);
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto count = [&](const char* key, uint64_t n) {
    w.Key(key);
    w.Uint64(n);
  };
  // The delivery counters, for the run and for each channel alike.
  auto deliveries = [&](const auto& x) {
    count("attempts", x.attempts);
    count("delivered", x.delivered);
    count("retried", x.retried);
    count("dead_lettered", x.dead_lettered);
    count("dead_letter_failed", x.dead_letter_failed);
    count("throttled", x.throttled);
  };
  w.StartObject();
  count("bodies", c.bodies);
  count("events", c.events);
  count("rejected", c.rejected);
  count("unreadable", c.unreadable);
  count("skipped", c.skipped);
  count("reject_failed", c.reject_failed);
  count("unrouted", r.unrouted);
  deliveries(t);
  w.Key("interrupted");
  w.Bool(r.interrupted);
  w.Key("channels");
  w.StartArray();
  for (const auto& s : r.channels) {
    w.StartObject();
    w.Key("name");
    w.String(s.name.c_str());
    w.Key("url");
    w.String(s.url.c_str());
    count("events", s.events);
    deliveries(s);
    w.Key("rate");
    w.String(s.rate.c_str());
    if (!s.last_request_id.empty()) {
      w.Key("last_request_id");
      w.String(s.last_request_id.c_str());
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::fprintf(stdout, "%s\n", sb.GetString());
  std::fflush(stdout);
}

}  // namespace cmrelay::cli
