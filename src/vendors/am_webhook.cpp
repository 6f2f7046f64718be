// am.webhook: the Alertmanager webhook body (version 4), as Prometheus's Alertmanager,
// Grafana's webhook contact point (a superset: orgId, silenceURL, values...) and Alibaba ARMS
// ($alertmanager_content, with its _aliyun_arms_* labels) post it. Each element of alerts[] is
// one event; status resolved gives Ok. The key is the alert's fingerprint, else a digest of its
// sorted labels: both the same on firing and resolve. Severity comes from labels.severity, or
// ARMS's own level (_aliyun_arms_alert_level, P1-P4) when the table knows it; an unknown level
// is Warning, with one warning.
#include <string>
#include <utility>
#include <vector>

#include "text/ascii.h"
#include "text/hash.h"
#include "vendors/alertmanager.h"
#include "vendors/builders.h"
#include "vendors/common.h"
#include "vendors/extras.h"
#include "vendors/fields.h"
#include "vendors/times.h"

namespace cmrelay::alertmanager {
namespace {

using fields::copy;

constexpr std::string_view kId = "am.webhook";
constexpr std::string_view kArmsPrefix = "_aliyun_arms_";

// alerts[] with one of the group's keys: no cloud's own callback has them.
bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject()) return false;
  const json::Value* alerts = fields::get(body, "alerts");
  if (alerts == nullptr || !alerts->IsArray()) return false;
  const std::string found = keys_present(body, {"version", "groupKey", "receiver", "commonLabels", "orgId"});
  if (found.empty()) return false;
  evidence = "alerts[]" + found;
  return true;
}

// Who posted it, for routing and for reading: ARMS marks its labels, Grafana adds its own keys.
std::string_view sender(const json::Value& body, const json::Value& alert, const json::Value& labels) {
  for (auto it = labels.MemberBegin(); it != labels.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()).substr(0, kArmsPrefix.size()) ==
        kArmsPrefix) {
      return "arms";
    }
  }
  if (body.HasMember("orgId") || alert.HasMember("silenceURL") || alert.HasMember("values")) return "grafana";
  return "alertmanager";
}

struct Fields {
  std::string status, level, fingerprint, alertname, summary, description, generator;
  std::string instance, object_id, object_name, region, account, starts, ends, silence, dashboard, panel, values;
  std::string_view sender;
  bool resolved = false;
  std::optional<times::Instant> started, ended;
};

// Grafana's evaluated values, "B=44.2, C=1", or its older valueString.
std::string read_values(const json::Value& alert) {
  const json::Value* values = fields::get(alert, "values");
  if (values == nullptr || !values->IsObject()) return copy(alert, "valueString");
  std::string out;
  for (auto it = values->MemberBegin(); it != values->MemberEnd(); ++it) {
    if (!out.empty()) out += ", ";
    out.append(it->name.GetString(), it->name.GetStringLength()).append("=");
    out += extra_text(it->value, Vendor::Alertmanager);
  }
  return out;
}

// The severity: ARMS's level when the table knows it, else labels.severity (or that level).
std::string read_level(const json::Value& labels, DecodeContext& ctx) {
  std::string severity = copy(labels, "severity", "labels.");
  std::string arms = copy(labels, "_aliyun_arms_alert_level", "labels.");
  if (!arms.empty() && (ctx.severity.find(Vendor::Alertmanager, arms) || severity.empty())) return arms;
  return severity;
}

// Go's zero time ("0001-01-01T00:00:00Z") means "not ended": no time at all.
std::optional<times::Instant> read_time(const std::string& text) {
  std::optional<times::Instant> t = times::parse_local_with_offset(text);
  if (t && t->unix <= 0) return std::nullopt;
  return t;
}

Fields read_fields(const json::Value& body, const json::Value& alert, const json::Value& labels,
                   const json::Value& annotations, DecodeContext& ctx) {
  constexpr std::string_view kL = "labels.", kA = "annotations.";
  Fields f;
  f.status = first({copy(alert, "status", "alerts[]."), copy(body, "status")});
  f.resolved = text::iequals(f.status, "resolved");
  f.level = read_level(labels, ctx);
  f.fingerprint = copy(alert, "fingerprint", "alerts[].");
  f.alertname = first({copy(labels, "alertname", kL), copy(labels, "_aliyun_arms_alert_name", kL)});
  f.summary = copy(annotations, "summary", kA);
  f.description = first({copy(annotations, "description", kA), copy(annotations, "message", kA)});
  f.generator = copy(alert, "generatorURL", "alerts[].");
  f.instance = first({copy(labels, "instance", kL), copy(labels, "pod", kL), copy(labels, "node", kL),
                      copy(labels, "host", kL), copy(labels, "hostname", kL)});
  f.object_id = copy(labels, "_aliyun_arms_involvedObject_id", kL);
  f.object_name = copy(labels, "_aliyun_arms_involvedObject_name", kL);
  f.region = first({copy(labels, "region", kL), copy(labels, "_aliyun_arms_region_id", kL)});
  f.account = copy(labels, "_aliyun_arms_userid", kL);
  f.starts = copy(alert, "startsAt", "alerts[].");
  f.ends = copy(alert, "endsAt", "alerts[].");
  f.started = read_time(f.starts);
  f.ended = read_time(f.ends);
  f.silence = copy(alert, "silenceURL", "alerts[].");
  f.dashboard = copy(alert, "dashboardURL", "alerts[].");
  f.panel = copy(alert, "panelURL", "alerts[].");
  f.values = read_values(alert);
  f.sender = sender(body, alert, labels);
  return f;
}

// alert_key: the fingerprint, else "labels/" and the FNV-1a of the sorted name=value labels.
void make_key(std::string& key, const Fields& f, const json::Value& labels) {
  if (!f.fingerprint.empty()) {
    make_alert_key(key, kId, {f.fingerprint});
    return;
  }
  std::vector<std::string> parts;
  for (auto it = labels.MemberBegin(); it != labels.MemberEnd(); ++it) {
    parts.emplace_back();
    append_key_pair(parts.back(), std::string_view(it->name.GetString(), it->name.GetStringLength()),
                    extra_text(it->value, Vendor::Alertmanager));
  }
  std::string joined;
  join_sorted(joined, parts, parts.size());
  make_alert_key(key, kId, {"labels", text::fnv1a64_hex(joined)});
}

void add_labels(Labels& l, const json::Value& body, const Fields& f, const json::Value& labels,
                const json::Value& annotations, const json::Value& alert, DecodeContext& ctx) {
  add_first_labels(l, {.vendor = Vendor::Alertmanager,
                       .format = kId,
                       .account_id = f.account,
                       .region = f.region,
                       .resource_id = f.object_id,
                       .resource_name = either(f.object_name, f.instance),
                       .check = f.alertname});
  const std::string receiver = copy(body, "receiver");
  const std::string external = copy(body, "externalURL");
  for (auto [key, value] : {std::pair<std::string_view, std::string_view>{"alert_status", f.status},
                            {"vendor_severity", f.level},
                            {"sender", f.sender},
                            {"fingerprint", f.fingerprint},
                            {"generator_url", f.generator},
                            {"receiver", receiver},
                            {"external_url", external}}) {
    l.add(key, value);
  }
  Extras extras(l, ctx, kId, Vendor::Alertmanager);
  extras.members("", labels, "label_");
  extras.members("annotation_", annotations);
  if (const json::Value* values = fields::get(alert, "values"); values && values->IsObject()) {
    extras.members("value_", *values);
  }
  extras.finish();
}

void make_description(std::string& d, const Fields& f) {
  if (!f.description.empty() && f.description != f.summary) d.append(f.description).append("\n");
  line(d, "Alert", name_and_id(f.alertname, f.fingerprint));
  line(d, "Severity", f.level);
  line(d, "Resource", name_and_id(either(f.object_name, f.instance), f.object_id));
  line(d, "Values", f.values);
  line(d, "Started", f.started ? times::format(*f.started) : f.starts);
  if (f.resolved) line(d, "Ended", f.ended ? times::format(*f.ended) : f.ends);
  line(d, "Source", f.generator);
  line(d, "Silence", f.silence);
  line(d, "Dashboard", f.dashboard);
  line(d, "Panel", f.panel);
  end_description(d);
}

void decode_alert(const json::Value& body, const json::Value& alert, DecodeContext& ctx, EventBatch& out) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  if (!alert.IsObject()) {
    throw DecodeError("field alerts[]: expected an object, got " + std::string(fields::type_name(alert)));
  }
  const json::Value& labels = fields::object_or_empty(alert, "labels", "alerts[].");
  // commonAnnotations may be null (seen in real bodies): an alert's own annotations decide.
  const json::Value* own = fields::object(alert, "annotations", "alerts[].");
  const json::Value& annotations = own ? *own : kEmpty;
  const Fields f = read_fields(body, alert, labels, annotations, ctx);
  Event& e = out.next();
  // A resolve is Ok whatever its level: no warning for it. It carries the severity its alert
  // fired with (an unknown level fired as Warning), so that routing sends it where that went.
  if (f.resolved) {
    e.status = Status::Ok;
    e.alert_severity = ctx.severity.find(Vendor::Alertmanager, f.level).value_or(Status::Warning);
  } else {
    e.status = map_level(ctx, Vendor::Alertmanager, kId, f.level, Status::Warning);
  }
  make_key(e.alert_key, f, labels);
  if (f.resolved) e.title += "Recovered: ";
  e.title += first({f.summary, f.alertname, "Alertmanager alert"});
  add_labels(e.labels, body, f, labels, annotations, alert, ctx);
  make_description(e.description, f);
  const std::optional<times::Instant>& when = f.resolved && f.ended ? f.ended : f.started;
  e.event_time = when ? when->unix : 0;
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  const json::Value* alerts = fields::array(body, "alerts");
  if (alerts == nullptr || alerts->Empty())
    throw DecodeError("an Alertmanager body with no alerts (alerts[] is empty)");
  for (const json::Value& alert : alerts->GetArray()) decode_alert(body, alert, ctx, out);
}

constexpr std::string_view kKeys[] = {"alerts"};

}  // namespace

const Format kWebhookFormat{kId, Vendor::Alertmanager, kKeys, recognise, decode};

}  // namespace cmrelay::alertmanager
