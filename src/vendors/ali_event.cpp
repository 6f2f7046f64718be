// ali.event: Alibaba Cloud Monitor Event Center subscription pushes (the Webhook push
// channel), in JSON mode or FORM mode (alert, subscription, userInfo and relatedAlertIds as
// JSON strings). One event per body: alert.alertStatus RESOLVED gives Ok, else the alert's
// severity. System events (alert.source SYS_EVENT, alert.meta.sysEventMeta) and threshold
// alerts (whose alert body is undocumented: rule, metrics[], resourceInfo... when present).
#include <string>
#include <utility>
#include <vector>

#include "text/label_name.h"
#include "vendors/alibaba.h"
#include "vendors/builders.h"
#include "vendors/common.h"
#include "vendors/fields.h"
#include "vendors/times.h"

namespace cmrelay::ali {
namespace {

constexpr std::string_view kId = "ali.event";

bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject()) return false;
  const json::Value* alert = fields::get(body, "alert");
  if (alert == nullptr || !(alert->IsObject() || alert->IsString())) return false;
  const std::string found = keys_present(body, {"batchId", "subscription", "strategyName"});
  if (found.empty()) return false;
  evidence = alert->IsObject() ? "alert" : "alert (JSON text)";
  evidence += found;
  return true;
}

// The metric a threshold alert speaks of, as text for titles and labels.
struct Metric {
  std::string name, value, threshold, op, unit;
};

Metric read_metric(const json::Value& alert, const json::Value* metrics) {
  Metric m;
  if (metrics && !metrics->Empty()) {
    const json::Value& m0 = (*metrics)[0];
    m.name = first({str(m0, "metricName", "alert.metrics[]."), str(m0, "metricNameEn", "alert.metrics[].")});
    m.value = str(m0, "curValue", "alert.metrics[].");
    m.threshold = str(m0, "threshold", "alert.metrics[].");
    m.op = str(m0, "operator", "alert.metrics[].");
    m.unit = str(m0, "unit", "alert.metrics[].");
  } else {
    m.name = str(alert, "metricName", "alert.");
    m.value = str(alert, "curValue", "alert.");
    m.threshold = str(alert, "threshold", "alert.");
    m.unit = str(alert, "unit", "alert.");
  }
  return m;
}

// "CPUUtilization 97.5% (threshold >= 95%)"
std::string describe_metric(const Metric& m) {
  std::string out = m.name;
  const std::string unit = unit_suffix(m.unit);
  if (!m.value.empty()) out += " " + m.value + unit;
  if (!m.threshold.empty()) out += " (threshold " + (m.op.empty() ? "" : m.op + " ") + m.threshold + unit + ")";
  return out;
}

// The members of the given objects as sorted "name=value" pairs (a key part).
std::string object_key(const json::Value* a, const json::Value* b) {
  std::vector<std::string> parts;
  for (const json::Value* obj : {a, b}) {
    if (obj == nullptr) continue;
    for (auto it = obj->MemberBegin(); it != obj->MemberEnd(); ++it) {
      parts.emplace_back();
      append_key_pair(parts.back(), std::string_view(it->name.GetString(), it->name.GetStringLength()),
                      label_text(it->value));
    }
  }
  std::string out;
  join_sorted(out, parts, parts.size());
  return out;
}

// Auxiliary fields that were malformed: label name and text as sent, added after the contract
// labels.
struct Kept {
  std::string label, text;
};

// The push's objects: alert (the body proper) and its auxiliary members, each malformed one
// kept as text (see auxiliary()).
struct Parts {
  json::Value no_alert{rapidjson::kObjectType};
  json::Value* alert = &no_alert;
  const json::Value *subscription = nullptr, *user_info = nullptr, *sys_meta = nullptr, *resource_info = nullptr,
                    *custom = nullptr, *metrics = nullptr, *content = nullptr;
  std::string content_text;  // eventRawContent that is not a JSON object (or not JSON at all).
  std::vector<Kept> kept;
};

const json::Value* aux(Parts& p, json::Value& obj, std::string_view key, rapidjson::Type want, std::string_view where,
                       std::string_view label, DecodeContext& ctx) {
  std::string raw;
  const json::Value* v = auxiliary(obj, key, want, ctx, kId, label, raw, where);
  if (!raw.empty()) p.kept.push_back({std::string(label), std::move(raw)});
  return v;
}

void read_parts(json::Value& body, DecodeContext& ctx, Parts& p) {
  // alert is the body proper: JSON text there that does not parse rejects it.
  fields::nested_json(body, "alert", ctx.json);
  if (fields::object(body, "alert")) p.alert = &body["alert"];
  json::Value& alert = *p.alert;
  p.subscription = aux(p, body, "subscription", rapidjson::kObjectType, {}, "subscription", ctx);
  p.user_info = aux(p, body, "userInfo", rapidjson::kObjectType, {}, "user_info", ctx);
  aux(p, body, "relatedAlertIds", rapidjson::kNullType, {}, "related_alert_ids", ctx);
  if (aux(p, alert, "meta", rapidjson::kObjectType, "alert.", "meta", ctx)) {
    p.sys_meta = aux(p, alert["meta"], "sysEventMeta", rapidjson::kObjectType, "alert.meta.", "sys_event_meta", ctx);
  }
  p.resource_info = aux(p, alert, "resourceInfo", rapidjson::kObjectType, "alert.", "resource_info", ctx);
  p.custom = aux(p, alert, "customLabels", rapidjson::kObjectType, "alert.", "custom_labels", ctx);
  p.metrics = aux(p, alert, "metrics", rapidjson::kArrayType, "alert.", "metrics", ctx);
  p.content = aux(p, alert, "eventContentMap", rapidjson::kObjectType, "alert.", "event_content_map", ctx);
  if (p.content == nullptr) {
    // eventRawContent carries the same content as a JSON string.
    p.content =
        auxiliary(alert, "eventRawContent", rapidjson::kNullType, ctx, kId, "content", p.content_text, "alert.");
    if (p.content && !p.content->IsObject()) {
      p.content_text = label_text(*p.content);
      p.content = nullptr;
    }
  }
}

// The system event, from sysEventMeta and the alert's own fields.
SystemEvent read_system(const json::Value& alert, const Parts& p) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  SystemEvent s = read_system_event(p.sys_meta ? *p.sys_meta : kEmpty, "alert.meta.sysEventMeta.");
  if (s.name.empty()) s.name = str(alert, "eventName", "alert.");
  if (s.product.empty()) s.product = str(alert, "product", "alert.");
  if (s.event_type.empty()) s.event_type = str(alert, "eventType", "alert.");
  if (s.group_id.empty()) s.group_id = str(alert, "groupId", "alert.");
  const std::string arn = str(alert, "arn", "alert.");
  if (s.resource.empty() && !arn.empty()) {
    s.resource = arn;
    const Arn parts = parse_arn(arn);
    s.resource_id = parts.id;
    s.account = parts.account;
    if (s.region.empty()) s.region = parts.region;
  }
  return s;
}

// What the push says, system event and threshold alert alike.
struct Alert {
  std::string alert_status, source;
  bool resolved = false, system = false;
  SystemEvent s;
  std::string severity;
  Metric metric;
  std::string rule_id, rule_name, expression, resource_id, resource_name, region, strategy;
  Lifecycle om;  // An ECS O&M event pushed as a system event: one alert across its notifications.
  std::string dedup_id, trace_id;
  std::optional<int64_t> at, pushed;  // alert.timestamp, the push's time
};

Alert read_alert(const json::Value& body, const Parts& p) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value& alert = *p.alert;
  Alert a;
  a.alert_status = str(alert, "alertStatus", "alert.");
  a.source = str(alert, "source", "alert.");
  a.resolved = iequals(a.alert_status, "RESOLVED");
  a.system = p.sys_meta != nullptr || iequals(a.source, "SYS_EVENT");
  a.s = read_system(alert, p);
  a.severity = first({str(alert, "severity", "alert."), str(body, "severity"), a.s.level});
  // What a threshold alert adds.
  const json::Value& res = p.resource_info ? *p.resource_info : kEmpty;
  a.metric = read_metric(alert, p.metrics);
  a.rule_id = str(alert, "ruleId", "alert.");
  a.rule_name = first({str(alert, "ruleName", "alert."), str(alert, "alertName", "alert.")});
  a.expression = str(alert, "expression", "alert.");
  const std::string content_id = p.content ? str(*p.content, "instanceId", "alert.eventContentMap.") : std::string();
  a.resource_id = first({a.s.resource_id, str(res, "instanceId", "alert.resourceInfo."),
                         str(res, "resourceId", "alert.resourceInfo."), content_id});
  a.resource_name = first(
      {a.s.instance_name, str(res, "instanceName", "alert.resourceInfo."), str(res, "name", "alert.resourceInfo.")});
  a.region = first({a.s.region, str(res, "regionId", "alert.resourceInfo.")});
  a.strategy = str(body, "strategyName");
  if (a.system) a.om = read_lifecycle(p.content, "alert.eventContentMap.", a.s.name);
  a.dedup_id = str(alert, "dedupId", "alert.");
  a.trace_id = str(alert, "traceId", "alert.");
  a.at = fields::integer(alert, "timestamp", "alert.");
  a.pushed = fields::integer(body, "time");
  return a;
}

// Resolved or ended gives Ok, which keeps its alert's severity: routing sends it where the
// alert went.
void set_status(Event& e, const Alert& a, DecodeContext& ctx) {
  e.status = a.resolved || a.om.terminal ? Status::Ok : map_level(ctx, Vendor::Alibaba, kId, a.severity);
  if (e.status == Status::Ok) e.alert_severity = ctx.severity.find(Vendor::Alibaba, a.severity).value_or(Status::Ok);
}

// alert_key: a threshold alert by rule and resource, which stay the same from TRIGGERED to
// RESOLVED (the dedup id does not: it is new on the resolve). Without a resource id the
// alert's own description of what it watches (resourceInfo and customLabels, sorted) stands
// in for it, so that alerts of one rule on different things stay apart. System events are
// keyed by their dedup id (else the event id).
void make_key(std::string& key, const Alert& a, const Parts& p) {
  const std::string_view rule = either(a.rule_id, a.rule_name);
  const std::string_view dedup = either(a.dedup_id, a.trace_id);
  if (!a.om.event_id.empty()) {
    make_alert_key(key, kId, {"om", a.om.event_id});
  } else if (!a.system && !rule.empty()) {
    const std::string watched = a.resource_id.empty() ? object_key(p.resource_info, p.custom) : a.resource_id;
    make_alert_key(key, kId, {"rule", rule, watched, a.metric.name});
  } else if (!dedup.empty()) {
    make_alert_key(key, kId, {dedup});
  } else {
    make_alert_key(key, kId, {"event", a.s.name, either(a.s.resource, a.resource_id), a.s.event_time});
  }
}

void make_title(std::string& t, const Alert& a) {
  if (a.resolved)
    t += "Recovered: ";
  else if (a.om.terminal)
    t += "Ended: ";
  if (a.system) {
    system_event_title(t, a.s, a.resource_id);
    return;
  }
  threshold_title(t, either(either(a.rule_name, a.rule_id), either(a.s.name, "Alibaba Cloud alert")),
                  either(a.resource_name, a.resource_id),
                  a.metric.name.empty() ? std::string() : describe_metric(a.metric),
                  a.metric.threshold.empty() ? std::string_view(a.expression) : std::string_view());
}

void add_contract_labels(Labels& l, const json::Value& body, const Alert& a, const Parts& p) {
  const SystemEvent& s = a.s;
  const std::string account =
      first({str(body, "userId"), str(*p.alert, "userId", "alert."),
             p.user_info ? str(*p.user_info, "userId", "userInfo.") : std::string(), s.account});
  add_first_labels(
      l, {.vendor = Vendor::Alibaba,
          .format = kId,
          .account_id = account,
          .region = a.region,
          .resource_id = a.resource_id,
          .resource_name = a.resource_name,
          .check = a.system ? std::string_view(s.name) : either(either(a.rule_name, a.rule_id), a.metric.name)});
  l.add("rule_id", a.rule_id);
  l.add("rule_name", either(a.rule_name, a.strategy));
  l.add("namespace", either(str(*p.alert, "namespace", "alert."), s.product));
  l.add("metric", a.metric.name);
  l.add("current_value", a.metric.value);
  l.add("threshold", either(a.metric.threshold, a.expression));
  l.add("unit", a.metric.unit);
  l.add("event_type", s.name);
  l.add("vendor_severity", a.severity);
}

void add_labels(Labels& l, const json::Value& body, const Alert& a, const Parts& p, DecodeContext& ctx) {
  const SystemEvent& s = a.s;
  add_contract_labels(l, body, a, p);
  for (auto [key, value] : {std::pair<std::string_view, std::string_view>{"alert_status", a.alert_status},
                            {"alert_source", a.source},
                            {"product", s.product},
                            {"status", s.status},
                            {"event_category", s.event_type},
                            {"expression", a.expression},
                            {"dedup_id", a.dedup_id},
                            {"trace_id", a.trace_id},
                            {"event_id", s.id},
                            {"group_id", s.group_id},
                            {"om_event_id", a.om.event_id},
                            {"om_status", a.om.status}}) {
    l.add(key, value);
  }
  l.add("arn", s.resource != s.resource_id ? std::string_view(s.resource) : std::string_view());
  l.add("strategy_name", a.strategy);
  l.add("batch_id", str(body, "batchId"));
  if (p.subscription) l.add("subscription_id", str(*p.subscription, "subscriptionUuid", "subscription."));
  if (p.user_info) l.add("aliyun_id", str(*p.user_info, "aliyunId", "userInfo."));
  for (std::string_view key : {"project", "groupingId", "escalationLevel", "alertCount", "relatedAlertIds"}) {
    if (const json::Value* v = fields::get(body, key)) l.add(label_name("", key), label_text(*v));
  }
  Extras extras(l, ctx, kId, Vendor::Alibaba);
  for (const Kept& k : p.kept) extras.add(k.label, k.text);
  if (p.custom) extras.members("", *p.custom, "custom_");
  if (p.resource_info) extras.members("resource_", *p.resource_info);
  if (p.content) extras.members("content_", *p.content);
  extras.add("content", p.content_text);
  extras.finish();
}

void make_description(std::string& d, const Alert& a, const Parts& p) {
  const SystemEvent& s = a.s;
  // Each line is put together here first (line() leaves an empty one out): reused, so that
  // describing an alert allocates nothing once it has grown.
  thread_local std::string part;
  part.assign(a.alert_status);
  if (!a.severity.empty()) part.append(part.empty() ? "severity " : ", severity ").append(a.severity);
  line(d, "Alert", part);
  if (a.system) {
    system_event_description(d, s);
  } else {
    part.clear();
    append_name_and_id(part, a.rule_name, a.rule_id);
    line(d, "Rule", part);
    line(d, "Condition", a.expression);
    part.clear();
    append_name_and_id(part, a.resource_name, a.resource_id);
    if (!a.region.empty()) part.append(part.empty() ? "in " : " in ").append(a.region);
    line(d, "Resource", part);
    line(d, "Metric", describe_metric(a.metric));
    line(d, "Product", s.product);
    if (s.name != a.rule_name) line(d, "Event", s.name);
  }
  if (p.content) {
    part.clear();
    json::append(part, *p.content);
    line(d, "Content", part);
  } else {
    line(d, "Content", p.content_text);
  }
  part.clear();
  append_name_and_id(part, a.strategy,
                     p.subscription ? present(fields::text(*p.subscription, "subscriptionUuid", "subscription."))
                                    : std::string_view());
  line(d, "Subscription", part);
  const times::Instant* zone = s.time ? &*s.time : nullptr;
  for (auto [name, at] : {std::pair{"Alert time", a.at}, std::pair{"Pushed at", a.pushed}}) {
    if (!at) continue;
    part.clear();
    times::append_format(part, times::in_zone(times::seconds_from_epoch(*at), zone));
    line(d, name, part);
  }
  line(d, "Dedup id", either(a.dedup_id, a.trace_id));
  end_description(d);
}

// When: the alert's timestamp, else the system event's time, else the push's.
int64_t event_time(const Alert& a) {
  if (a.at) return times::seconds_from_epoch(*a.at);
  if (a.s.time) return a.s.time->unix;
  return a.pushed ? times::seconds_from_epoch(*a.pushed) : 0;
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  Parts p;
  read_parts(body, ctx, p);
  const Alert a = read_alert(body, p);
  set_status(e, a, ctx);
  make_key(e.alert_key, a, p);
  make_title(e.title, a);
  add_labels(e.labels, body, a, p, ctx);
  make_description(e.description, a, p);
  e.event_time = event_time(a);
}

constexpr std::string_view kKeys[] = {"alert"};

}  // namespace

const Format kEventFormat{kId, Vendor::Alibaba, kKeys, recognise, decode};

}  // namespace cmrelay::ali
