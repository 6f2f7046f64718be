// hw.ces: Huawei Cloud Eye (CES) alarms as Simple Message Notification (SMN) posts them to an
// HTTP(S) subscription. The SMN envelope (type, message as JSON text, subject, topic_urn,
// message_id, timestamp, signature fields) is unwrapped and the CES content decoded: the
// "data" object of a notification template, or the default notification's template_variable
// beside alarm_id, alarm_name and alarm_status. One event per body; IsAlarm false (or absent,
// as CES documents) recovers. A SubscriptionConfirmation or UnsubscribeConfirmation is no
// alarm: it is rejected, saying what it is and where it points (tokens masked); serve
// confirms subscriptions itself. SMN's signature is not checked here (see the man page).
#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "text/ascii.h"
#include "text/url_redact.h"
#include "vendors/builders.h"
#include "vendors/common.h"
#include "vendors/extras.h"
#include "vendors/fields.h"
#include "vendors/huawei.h"
#include "vendors/times.h"

namespace cmrelay::huawei {
namespace {

using fields::copy;

constexpr std::string_view kId = "hw.ces";

std::string_view string_member(const json::Value& obj, std::string_view key) {
  const json::Value* v = fields::get(obj, key);
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

// SMN's envelope: type, topic_urn and message_id together; no other sender has them.
bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || !body.HasMember("topic_urn") || !body.HasMember("message_id")) return false;
  const std::string_view type = string_member(body, "type");
  if (type.empty()) return false;
  evidence = "type=" + std::string(type.substr(0, 40)) + ", topic_urn, message_id";
  evidence += keys_present(body, {"message", "subscribe_url", "signature"});
  return true;
}

// The CES alarm in an SMN message: view holds the PascalCase fields (IsAlarm, AlarmLevel...),
// top the default notification's own snake_case ones (alarm_id, alarm_status...), which a
// template's message does not have.
struct Content {
  const json::Value* view = nullptr;
  const json::Value* top = nullptr;
};

Content find_content(json::Value& body, DecodeContext& ctx) {
  json::Value* message = fields::nested_json(body, "message", ctx.json);
  if (message == nullptr || !message->IsObject()) {
    throw DecodeError("an SMN " + std::string(string_member(body, "type")) +
                      " whose message is not a Cloud Eye alarm (no JSON object in message)");
  }
  if (const json::Value* data = fields::object(*message, "data", "message."); data && data->HasMember("IsAlarm")) {
    return {data, message};
  }
  if (const json::Value* vars = fields::object(*message, "template_variable", "message.")) return {vars, message};
  if (message->HasMember("IsAlarm") || message->HasMember("AlarmLevel")) return {message, message};
  if (const json::Value* data = fields::object(*message, "data", "message.")) return {data, message};
  throw DecodeError("an SMN " + std::string(string_member(body, "type")) +
                    " whose message is not a Cloud Eye alarm (none of data, template_variable, IsAlarm)");
}

// The handshake types are told apart before anything is decoded: they carry no alarm.
[[noreturn]] void reject_handshake(const json::Value& body, std::string_view type) {
  const std::string topic(string_member(body, "topic_urn"));
  const std::string url = redact_url(string_member(body, "subscribe_url"));
  if (type == kSubscriptionConfirmation) {
    throw DecodeError("Huawei SMN SubscriptionConfirmation for topic " + topic +
                      ": not an alarm; to subscribe, GET its subscribe_url " + url +
                      " (cmrelay serve does, when the URL's host is one of --smn-confirm-host)");
  }
  throw DecodeError("Huawei SMN UnsubscribeConfirmation for topic " + topic +
                    ": not an alarm; the subscription was cancelled, and is not confirmed" +
                    (url.empty() ? std::string() : " (to subscribe again: " + url + ")"));
}

// IsAlarm true fires; false, and none at all, recover (Cloud Eye's rule); else the default
// notification's alarm_status ("alarm" fires).
bool read_firing(const Content& c) {
  const json::Value* is_alarm = fields::get(*c.view, "IsAlarm");
  if (is_alarm != nullptr && is_alarm->IsBool()) return is_alarm->GetBool();
  const std::string text = is_alarm ? copy(*c.view, "IsAlarm") : std::string();
  if (!text.empty()) return text::iequals(text, "true");
  const std::string status = copy(*c.top, "alarm_status", "message.");
  return text::iequals(status, "alarm");
}

// The region in an SMN topic URN, "urn:smn:<region>:<project>:<name>"; empty otherwise.
std::string_view topic_region(std::string_view urn) {
  constexpr std::string_view kPrefix = "urn:smn:";
  if (urn.substr(0, kPrefix.size()) != kPrefix) return {};
  urn.remove_prefix(kPrefix.size());
  const size_t colon = urn.find(':');
  return colon == std::string_view::npos ? std::string_view() : urn.substr(0, colon);
}

struct Fields {
  bool firing = false;
  std::string level, account, ns, dimension, resource_id, resource_name, metric, region, region_name;
  std::string rule, rule_id, record, current, op, value, unit, count, private_ip, event;
  std::string subject, topic, message_id, type, time_text;
  std::optional<times::Instant> when;
};

Fields read_fields(const json::Value& body, const Content& c) {
  const json::Value& v = *c.view;
  const json::Value& top = *c.top;
  constexpr std::string_view kTop = "message.";
  Fields f;
  f.firing = read_firing(c);
  f.level = first({copy(v, "AlarmLevel"), copy(top, "alarm_level", kTop)});
  f.account = copy(v, "AccountName");
  f.ns = first({copy(v, "Namespace"), copy(top, "namespace", kTop)});
  f.dimension = copy(v, "DimensionName");
  f.resource_id = copy(v, "ResourceId");
  f.resource_name = copy(v, "ResourceName");
  f.metric = first({copy(v, "MetricName"), copy(top, "metric_name", kTop)});
  f.topic = copy(body, "topic_urn");
  f.region = first({copy(v, "RegionId"), topic_region(f.topic), copy(v, "Region")});
  f.region_name = copy(v, "Region");
  f.rule = first({copy(v, "AlarmRuleName"), copy(top, "alarm_name", kTop)});
  f.rule_id = first({copy(v, "AlarmId"), copy(top, "alarm_id", kTop)});
  f.record = copy(v, "AlarmRecordID");
  f.current = copy(v, "CurrentData");
  f.op = first({copy(v, "ComparisonOperator"), copy(top, "comparison_operator", kTop)});
  f.value = first({copy(v, "Value"), copy(top, "value", kTop)});
  f.unit = copy(v, "Unit");
  f.count = first({copy(v, "Count"), copy(top, "count", kTop)});
  f.private_ip = copy(v, "PrivateIp");
  f.event = copy(v, "EventContent");
  f.subject = copy(body, "subject");
  f.message_id = copy(body, "message_id");
  f.type = copy(body, "type");
  f.time_text = copy(v, "AlarmTime");
  if (!f.time_text.empty()) f.when = times::parse_local_with_offset(f.time_text);
  if (!f.when) f.when = times::parse_local_with_offset(copy(body, "timestamp"));
  return f;
}

// "> 5 count", the value as Cloud Eye writes it (with its unit), or with Unit added.
std::string threshold(const Fields& f) {
  if (f.value.empty()) return {};
  std::string t = f.op.empty() ? f.value : f.op + " " + f.value;
  if (!f.unit.empty() && f.value.find(f.unit) == std::string::npos) t += " " + f.unit;
  return t;
}

// "每秒并发操作数 > 5 count on dcs-h4tv (cn-east-3): 6.00 count"
void make_title(std::string& t, const Fields& f) {
  if (!f.firing) t += "Recovered: ";
  t += first({f.metric, f.rule, "Huawei Cloud Eye alarm"});
  if (const std::string limit = threshold(f); !limit.empty()) t.append(" ").append(limit);
  const std::string_view who = either(f.resource_name, f.resource_id);
  if (!who.empty()) t.append(" on ").append(who);
  if (!f.region.empty()) t.append(" (").append(f.region).append(")");
  if (!f.current.empty()) t.append(": ").append(f.current);
}

void add_labels(Labels& l, const Fields& f, const Content& c, DecodeContext& ctx) {
  add_first_labels(l, {.vendor = Vendor::Huawei,
                       .format = kId,
                       .account_id = f.account,
                       .region = f.region,
                       .resource_id = f.resource_id,
                       .resource_name = f.resource_name,
                       .check = either(f.metric, f.rule)});
  const std::string_view region_name = f.region_name != f.region ? std::string_view(f.region_name) : "";
  for (auto [key, value] : {std::pair<std::string_view, std::string_view>{"namespace", f.ns},
                            {"dimension_name", f.dimension},
                            {"metric", f.metric},
                            {"rule_name", f.rule},
                            {"rule_id", f.rule_id},
                            {"alarm_record_id", f.record},
                            {"vendor_severity", f.level},
                            {"current_value", f.current},
                            {"private_ip", f.private_ip},
                            {"region_name", region_name},
                            {"topic_urn", f.topic},
                            {"smn_message_id", f.message_id}}) {
    l.add(key, value);
  }
  l.add("threshold", threshold(f));
  // The rest of the CES fields, those not read into the labels above or the description.
  static constexpr std::string_view kRead[] = {
      "AccountName", "Namespace", "DimensionName", "ResourceName",  "MetricName",         "IsAlarm",
      "AlarmLevel",  "Region",    "RegionId",      "ResourceId",    "PrivateIp",          "CurrentData",
      "AlarmTime",   "AlarmId",   "AlarmRuleName", "AlarmRecordID", "ComparisonOperator", "Value"};
  Extras extras(l, ctx, kId, Vendor::Huawei);
  for (auto it = c.view->MemberBegin(); it != c.view->MemberEnd(); ++it) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (std::find(std::begin(kRead), std::end(kRead), name) != std::end(kRead)) continue;
    extras.add_named("ces_", name, extra_text(it->value, Vendor::Huawei));
  }
  extras.finish();
}

void make_description(std::string& d, const Fields& f, int64_t when) {
  line(d, "Subject", f.subject);
  line(d, "Rule", name_and_id(f.rule, f.rule_id));
  line(d, "Level", f.level);
  std::string where = name_and_id(f.resource_name, f.resource_id);
  if (!f.dimension.empty()) where += (where.empty() ? "" : ", ") + f.dimension;
  if (!f.ns.empty()) where += (where.empty() ? "" : ", ") + f.ns;
  if (!f.region.empty()) where.append(where.empty() ? "in " : " in ").append(either(f.region_name, f.region));
  line(d, "Resource", where);
  std::string value = f.current;
  if (const std::string limit = threshold(f); !limit.empty()) {
    value += (value.empty() ? "threshold " : " (threshold ") + limit;
    if (!f.count.empty()) value += ", " + f.count + " times";
    if (!f.current.empty()) value += ")";
  }
  line(d, "Value", value);
  line(d, "Event", f.event);
  if (when != 0)
    line(d, "At", times::format_unix(when, f.when ? &*f.when : nullptr));
  else
    line(d, "At", f.time_text);
  line(d, "Record", f.record);
  line(d, "Topic", f.topic);
  end_description(d);
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  const std::string_view type = string_member(body, "type");
  if (type == kSubscriptionConfirmation || type == kUnsubscribeConfirmation) reject_handshake(body, type);
  const Content c = find_content(body, ctx);
  const Fields f = read_fields(body, c);
  Event& e = out.next();
  // A recovery is Ok whatever its level, and carries the level its alarm fired with.
  e.status = f.firing ? map_level(ctx, Vendor::Huawei, kId, f.level) : Status::Ok;
  if (!f.firing) e.alert_severity = ctx.severity.find(Vendor::Huawei, f.level).value_or(Status::Ok);
  // alert_key: the rule (id, else name), the resource (id, else name) and the metric: all in
  // the recovery; AlarmRecordID and the SMN message_id are not keyed on.
  make_alert_key(e.alert_key, kId, {either(f.rule_id, f.rule), either(f.resource_id, f.resource_name), f.metric});
  make_title(e.title, f);
  add_labels(e.labels, f, c, ctx);
  const int64_t when = f.when ? f.when->unix : 0;
  make_description(e.description, f, when);
  e.event_time = when;
}

}  // namespace

SmnHandshake smn_handshake(const json::Value& body) {
  SmnHandshake h;
  std::string evidence;
  if (!recognise(body, evidence)) return h;
  const std::string_view type = string_member(body, "type");
  if (type != kSubscriptionConfirmation && type != kUnsubscribeConfirmation) return h;
  h.type = type;
  h.topic_urn = string_member(body, "topic_urn");
  h.subscribe_url = string_member(body, "subscribe_url");
  return h;
}

constexpr std::string_view kKeys[] = {"topic_urn"};

const Format kCesFormat{kId, Vendor::Huawei, kKeys, recognise, decode};

}  // namespace cmrelay::huawei
