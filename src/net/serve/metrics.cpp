#include "net/serve/metrics.h"

#include <cstdio>

#include "net/serve/spool.h"

namespace cmrelay::serve {
namespace {

void line(std::string& out, const char* name, const std::string& labels, double v) {
  char num[64];
  std::snprintf(num, sizeof num, "%.17g", v);
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(num).append("\n");
}

void help(std::string& out, const char* name, const char* type, const char* text) {
  out.append("# HELP ").append(name).append(" ").append(text).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

std::string bound(double b) {
  char num[32];
  std::snprintf(num, sizeof num, "%g", b);
  return num;
}

}  // namespace

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metrics::Histogram::observe(double v) {
  for (size_t i = 0; i < bounds->size(); ++i) {
    if (v <= (*bounds)[i]) ++counts[i];
  }
  ++count;
  sum += v;
}

void Metrics::request(const std::string& path, int code) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{path, code}];
}

void Metrics::stored(double seconds, double fsync_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stored_;
  store_.observe(seconds);
  fsync_.observe(fsync_seconds);
}

void Metrics::committed(size_t batch) {
  std::lock_guard<std::mutex> lock(mu_);
  batch_.observe(static_cast<double>(batch));
}

void Metrics::rejected() {
  std::lock_guard<std::mutex> lock(mu_);
  ++rejected_;
}

void Metrics::duplicate(bool fleet) {
  std::lock_guard<std::mutex> lock(mu_);
  ++duplicates_;
  if (fleet) ++fleet_duplicates_;
}

void Metrics::shared(const std::string& redis, const std::string& degraded_mode) {
  std::lock_guard<std::mutex> lock(mu_);
  shared_ = redis;
  degraded_mode_ = degraded_mode;
}

void Metrics::shared_up(bool up) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shared_up_ && !up) ++shared_outages_;
  shared_up_ = up;
}

std::string Metrics::readiness() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shared_.empty() || shared_up_) return "ready\n";
  return "ready, degraded: the shared Redis " + shared_ + " is unreachable (" + degraded_mode_ + ")\n";
}

void Metrics::unrouted() {
  std::lock_guard<std::mutex> lock(mu_);
  ++unrouted_;
}

void Metrics::attempt(const std::string& channel, bool retry) {
  std::lock_guard<std::mutex> lock(mu_);
  Channel& c = channels_[channel];
  ++c.attempts;
  if (retry) ++c.retried;
}

void Metrics::ended(const std::string& channel, bool delivered, double latency) {
  std::lock_guard<std::mutex> lock(mu_);
  Channel& c = channels_[channel];
  if (delivered) {
    ++c.delivered;
    c.latency.observe(latency);
  } else {
    ++c.dead_lettered;
  }
}

std::string Metrics::render(Spool& spool) {
  std::string out;
  double oldest = spool.oldest_age();  // Outside the lock: it lists the directory.
  std::lock_guard<std::mutex> lock(mu_);
  auto histogram = [&](const char* name, const std::string& labels, const Histogram& h) {
    std::string prefix = labels.empty() ? "" : labels + ",";
    std::string bucket = std::string(name) + "_bucket";
    for (size_t i = 0; i < h.bounds->size(); ++i) {
      line(out, bucket.c_str(), prefix + "le=\"" + bound((*h.bounds)[i]) + "\"", static_cast<double>(h.counts[i]));
    }
    line(out, bucket.c_str(), prefix + "le=\"+Inf\"", static_cast<double>(h.count));
    line(out, (std::string(name) + "_sum").c_str(), labels, h.sum);
    line(out, (std::string(name) + "_count").c_str(), labels, static_cast<double>(h.count));
  };
  help(out, "cmrelay_serve_requests_total", "counter", "HTTP requests answered, by path and status code.");
  for (const auto& [key, n] : requests_) {
    line(out, "cmrelay_serve_requests_total",
         "path=\"" + label_value(key.first) + "\",code=\"" + std::to_string(key.second) + "\"", static_cast<double>(n));
  }
  help(out, "cmrelay_serve_bodies_stored_total", "counter", "Requests stored durably in the spool (answered 2xx).");
  line(out, "cmrelay_serve_bodies_stored_total", "", static_cast<double>(stored_));
  help(out, "cmrelay_serve_bodies_rejected_total", "counter",
       "Stored bodies that could not be decoded (moved to rejected/).");
  line(out, "cmrelay_serve_bodies_rejected_total", "", static_cast<double>(rejected_));
  help(out, "cmrelay_serve_duplicates_total", "counter",
       "Vendor retries of a delivery already taken (delivered once).");
  line(out, "cmrelay_serve_duplicates_total", "", static_cast<double>(duplicates_));
  if (!shared_.empty()) {
    const std::string redis = "redis=\"" + label_value(shared_) + "\"";
    help(out, "cmrelay_serve_duplicates_fleet_total", "counter",
         "Of those, recognised through the shared Redis (the first copy on another host or spool file).");
    line(out, "cmrelay_serve_duplicates_fleet_total", "", static_cast<double>(fleet_duplicates_));
    help(out, "cmrelay_serve_shared_up", "gauge",
         "1 while the shared Redis (--shared) answers; 0 while it is away (degraded: local shares of budgets).");
    line(out, "cmrelay_serve_shared_up", redis, shared_up_ ? 1 : 0);
    help(out, "cmrelay_serve_shared_outages_total", "counter", "Times the shared Redis became unreachable.");
    line(out, "cmrelay_serve_shared_outages_total", redis, static_cast<double>(shared_outages_));
  }
  help(out, "cmrelay_serve_events_unrouted_total", "counter", "Events routed to no channel (dead-lettered as such).");
  line(out, "cmrelay_serve_events_unrouted_total", "", static_cast<double>(unrouted_));
  help(out, "cmrelay_serve_store_seconds", "histogram",
       "Time to store one request durably: its write, the wait for the group commit, the flushes.");
  histogram("cmrelay_serve_store_seconds", "", store_);
  help(out, "cmrelay_serve_fsync_seconds", "histogram",
       "Of that, the flushes that covered it (its bytes', its name's), each shared by all it covered.");
  histogram("cmrelay_serve_fsync_seconds", "", fsync_);
  help(out, "cmrelay_serve_commit_batch_size", "histogram",
       "Requests written to disk together (one group-commit batch).");
  histogram("cmrelay_serve_commit_batch_size", "", batch_);
  help(out, "cmrelay_serve_spool_files", "gauge", "Requests waiting in the spool.");
  line(out, "cmrelay_serve_spool_files", "", static_cast<double>(spool.depth()));
  help(out, "cmrelay_serve_spool_bytes", "gauge", "Bytes waiting in the spool.");
  line(out, "cmrelay_serve_spool_bytes", "", static_cast<double>(spool.bytes()));
  help(out, "cmrelay_serve_spool_oldest_age_seconds", "gauge", "Age of the oldest request in the spool.");
  line(out, "cmrelay_serve_spool_oldest_age_seconds", "", oldest);
  struct Counter {
    const char* name;
    const char* text;
    uint64_t Channel::*field;
  };
  static const Counter kCounters[] = {
      {"cmrelay_serve_delivery_attempts_total", "Delivery attempts, by channel.", &Channel::attempts},
      {"cmrelay_serve_events_retried_total", "Attempts that were retries, by channel.", &Channel::retried},
      {"cmrelay_serve_events_delivered_total", "Events delivered, by channel.", &Channel::delivered},
      {"cmrelay_serve_events_dead_lettered_total", "Events dead-lettered, by channel.", &Channel::dead_lettered}};
  for (const Counter& c : kCounters) {
    help(out, c.name, "counter", c.text);
    for (const auto& [name, ch] : channels_) {
      line(out, c.name, "channel=\"" + label_value(name) + "\"", static_cast<double>(ch.*c.field));
    }
  }
  help(out, "cmrelay_serve_delivery_latency_seconds", "histogram",
       "From a request's arrival to the delivery of an event from it, by channel.");
  for (const auto& [name, ch] : channels_) {
    histogram("cmrelay_serve_delivery_latency_seconds", "channel=\"" + label_value(name) + "\"", ch.latency);
  }
  return out;
}

}  // namespace cmrelay::serve
