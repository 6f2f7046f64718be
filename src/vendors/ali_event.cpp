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

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  std::vector<Kept> kept;
  // An auxiliary field: malformed, it is kept in kept[].label (see auxiliary()).
  auto aux = [&](json::Value& obj, std::string_view key, rapidjson::Type want, std::string_view where,
                 std::string_view label) {
    std::string raw;
    const json::Value* v = auxiliary(obj, key, want, ctx, kId, label, raw, where);
    if (!raw.empty()) kept.push_back({std::string(label), std::move(raw)});
    return v;
  };
  // alert is the body proper: JSON text there that does not parse rejects it.
  fields::nested_json(body, "alert", ctx.json);
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* alert_ptr = fields::object(body, "alert");
  json::Value no_alert(rapidjson::kObjectType);
  json::Value& alert = alert_ptr ? body["alert"] : no_alert;
  const json::Value* subscription = aux(body, "subscription", rapidjson::kObjectType, {}, "subscription");
  const json::Value* user_info = aux(body, "userInfo", rapidjson::kObjectType, {}, "user_info");
  aux(body, "relatedAlertIds", rapidjson::kNullType, {}, "related_alert_ids");
  const json::Value* meta = aux(alert, "meta", rapidjson::kObjectType, "alert.", "meta");
  const json::Value* sys_meta =
      meta ? aux(alert["meta"], "sysEventMeta", rapidjson::kObjectType, "alert.meta.", "sys_event_meta") : nullptr;
  const json::Value* resource_info = aux(alert, "resourceInfo", rapidjson::kObjectType, "alert.", "resource_info");
  const json::Value* custom = aux(alert, "customLabels", rapidjson::kObjectType, "alert.", "custom_labels");
  const json::Value* metrics = aux(alert, "metrics", rapidjson::kArrayType, "alert.", "metrics");
  const json::Value* content = aux(alert, "eventContentMap", rapidjson::kObjectType, "alert.", "event_content_map");
  std::string content_text;  // eventRawContent that is not a JSON object (or not JSON at all).
  if (content == nullptr) {
    // eventRawContent carries the same content as a JSON string.
    content = auxiliary(alert, "eventRawContent", rapidjson::kNullType, ctx, kId, "content", content_text, "alert.");
    if (content && !content->IsObject()) {
      content_text = label_text(*content);
      content = nullptr;
    }
  }

  const std::string alert_status = str(alert, "alertStatus", "alert.");
  const std::string source = str(alert, "source", "alert.");
  const bool resolved = iequals(alert_status, "RESOLVED");
  const bool system = sys_meta != nullptr || iequals(source, "SYS_EVENT");

  // The system event, from sysEventMeta and the alert's own fields.
  SystemEvent s = read_system_event(sys_meta ? *sys_meta : kEmpty, "alert.meta.sysEventMeta.");
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
  const std::string severity = first({str(alert, "severity", "alert."), str(body, "severity"), s.level});

  // What a threshold alert adds.
  const json::Value& res = resource_info ? *resource_info : kEmpty;
  const Metric metric = read_metric(alert, metrics);
  const std::string rule_id = str(alert, "ruleId", "alert.");
  const std::string rule_name = first({str(alert, "ruleName", "alert."), str(alert, "alertName", "alert.")});
  const std::string expression = str(alert, "expression", "alert.");
  const std::string content_id = content ? str(*content, "instanceId", "alert.eventContentMap.") : std::string();
  const std::string resource_id = first({s.resource_id, str(res, "instanceId", "alert.resourceInfo."),
                                          str(res, "resourceId", "alert.resourceInfo."), content_id});
  const std::string resource_name = first({s.instance_name, str(res, "instanceName", "alert.resourceInfo."),
                                            str(res, "name", "alert.resourceInfo.")});
  const std::string region = first({s.region, str(res, "regionId", "alert.resourceInfo.")});
  const std::string strategy = str(body, "strategyName");

  // An ECS O&M event pushed as a system event: one alert across its notifications.
  const Lifecycle om = system ? read_lifecycle(content, "alert.eventContentMap.") : Lifecycle{};
  e.status = resolved || om.terminal ? Status::Ok : map_level(ctx, Vendor::Alibaba, kId, severity);
  // A recovery keeps its alert's severity: routing sends it where the alert went.
  if (e.status == Status::Ok) e.alert_severity = ctx.severity.find(Vendor::Alibaba, severity).value_or(Status::Ok);

  // alert_key: a threshold alert by rule and resource, which stay the same from TRIGGERED to
  // RESOLVED (the dedup id does not: it is new on the resolve). Without a resource id the
  // alert's own description of what it watches (resourceInfo and customLabels, sorted) stands
  // in for it, so that alerts of one rule on different things stay apart. System events are
  // keyed by their dedup id (else the event id).
  const std::string dedup_id = str(alert, "dedupId", "alert.");
  const std::string trace_id = str(alert, "traceId", "alert.");
  const std::string_view rule = either(rule_id, rule_name);
  const std::string_view dedup = either(dedup_id, trace_id);
  if (!om.event_id.empty()) {
    make_alert_key(e.alert_key, kId, {"om", om.event_id});
  } else if (!system && !rule.empty()) {
    std::string watched = resource_id;
    if (watched.empty()) watched = object_key(resource_info, custom);
    make_alert_key(e.alert_key, kId, {"rule", rule, watched, metric.name});
  } else if (!dedup.empty()) {
    make_alert_key(e.alert_key, kId, {dedup});
  } else {
    make_alert_key(e.alert_key, kId, {"event", s.name, either(s.resource, resource_id), s.event_time});
  }

  std::string& t = e.title;
  if (resolved) t += "Recovered: ";
  else if (om.terminal) t += "Ended: ";
  if (system) {
    system_event_title(t, s, resource_id);
  } else {
    threshold_title(t, either(either(rule_name, rule_id), either(s.name, "Alibaba Cloud alert")),
                    either(resource_name, resource_id), metric.name.empty() ? std::string() : describe_metric(metric),
                    metric.threshold.empty() ? std::string_view(expression) : std::string_view());
  }

  Labels& l = e.labels;
  l.add("source", "alibaba");
  l.add("format", kId);
  l.add("account_id", first({str(body, "userId"), str(alert, "userId", "alert."),
                             user_info ? str(*user_info, "userId", "userInfo.") : std::string(), s.account}));
  l.add("region", region);
  l.add("resource_id", resource_id);
  l.add("resource_name", resource_name);
  add_grouping_labels(l, resource_name, resource_id,
                      system ? std::string_view(s.name) : either(either(rule_name, rule_id), metric.name));
  l.add("rule_id", rule_id);
  l.add("rule_name", either(rule_name, strategy));
  l.add("namespace", either(str(alert, "namespace", "alert."), s.product));
  l.add("metric", metric.name);
  l.add("current_value", metric.value);
  l.add("threshold", either(metric.threshold, expression));
  l.add("unit", metric.unit);
  l.add("event_type", s.name);
  l.add("vendor_severity", severity);
  l.add("alert_status", alert_status);
  l.add("alert_source", source);
  l.add("product", s.product);
  l.add("status", s.status);
  l.add("event_category", s.event_type);
  l.add("expression", expression);
  l.add("dedup_id", dedup_id);
  l.add("trace_id", trace_id);
  l.add("event_id", s.id);
  l.add("group_id", s.group_id);
  l.add("om_event_id", om.event_id);
  l.add("om_status", om.status);
  l.add("arn", s.resource != s.resource_id ? std::string_view(s.resource) : std::string_view());
  l.add("strategy_name", strategy);
  l.add("batch_id", str(body, "batchId"));
  if (subscription) l.add("subscription_id", str(*subscription, "subscriptionUuid", "subscription."));
  if (user_info) l.add("aliyun_id", str(*user_info, "aliyunId", "userInfo."));
  for (std::string_view key : {"project", "groupingId", "escalationLevel", "alertCount", "relatedAlertIds"}) {
    if (const json::Value* v = fields::get(body, key)) l.add(label_name("", key), label_text(*v));
  }
  Extras extras(l, ctx, kId, Vendor::Alibaba);
  for (const Kept& k : kept) extras.add(k.label, k.text);
  if (custom) extras.members("", *custom, "custom_");
  if (resource_info) extras.members("resource_", *resource_info);
  if (content) extras.members("content_", *content);
  extras.add("content", content_text);
  extras.finish();

  std::optional<int64_t> at = fields::integer(alert, "timestamp", "alert.");
  std::optional<int64_t> pushed = fields::integer(body, "time");
  if (at) e.event_time = times::seconds_from_epoch(*at);
  else if (s.time) e.event_time = s.time->unix;
  else if (pushed) e.event_time = times::seconds_from_epoch(*pushed);

  std::string& d = e.description;
  std::string state = alert_status;
  if (!severity.empty()) state += (state.empty() ? "severity " : ", severity ") + severity;
  line(d, "Alert", state);
  if (system) {
    system_event_description(d, s);
  } else {
    std::string r = name_and_id(rule_name, rule_id);
    line(d, "Rule", r);
    line(d, "Condition", expression);
    std::string where = name_and_id(resource_name, resource_id);
    if (!region.empty()) where += (where.empty() ? "in " : " in ") + region;
    line(d, "Resource", where);
    line(d, "Metric", describe_metric(metric));
    line(d, "Product", s.product);
    if (s.name != rule_name) line(d, "Event", s.name);
  }
  line(d, "Content", content ? json::to_string(*content) : content_text);
  line(d, "Subscription", name_and_id(strategy, subscription ? str(*subscription, "subscriptionUuid", "subscription.") : ""));
  if (at) line(d, "Alert time", times::format_unix(times::seconds_from_epoch(*at), s.time ? &*s.time : nullptr));
  if (pushed) line(d, "Pushed at", times::format_unix(times::seconds_from_epoch(*pushed), s.time ? &*s.time : nullptr));
  line(d, "Dedup id", either(dedup_id, trace_id));
  end_description(d);
}

}  // namespace

const Format kEventFormat{kId, Vendor::Alibaba, recognise, decode};

}  // namespace cmrelay::ali
