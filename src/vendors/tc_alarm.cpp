// tc.alarm: Tencent Cloud Monitor alarm callbacks (a notification template's API callback),
// metric and event alarms alike (alarmType). One event per body: alarmStatus 1 fires, 0
// recovers. The body names no level: the severity is looked up by alarmType, which Flashduty's
// Tencent Cloud Monitor integration sends as Warning either way. The alert_key is what a
// recovery repeats unchanged: the policy, the condition (metric or event), the region and the
// alarm object's dimensions.
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vendors/builders.h"
#include "vendors/common.h"
#include "vendors/extras.h"
#include "vendors/fields.h"
#include "vendors/tencent.h"
#include "vendors/times.h"

namespace cmrelay::tencent {
namespace {

using fields::copy;

constexpr std::string_view kId = "tc.alarm";
constexpr int kChinaMinutes = 8 * 60;  // Tencent's times carry no zone: China Standard Time.

// alarmStatus with alarmObjInfo or alarmPolicyInfo: no other sender's keys.
bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || !body.HasMember("alarmStatus")) return false;
  const std::string found = keys_present(body, {"alarmObjInfo", "alarmPolicyInfo"});
  if (found.empty()) return false;
  evidence = "alarmStatus";
  const json::Value* type = fields::get(body, "alarmType");
  if (type != nullptr && type->IsString()) {
    evidence +=
        ", alarmType=" + std::string(std::string_view(type->GetString(), type->GetStringLength()).substr(0, 40));
  }
  evidence += found;
  return true;
}

// Dimensions that name the object rather than describe it: objName is display text, objDetail
// (event alarms) an object of details.
bool describes(std::string_view name) { return name == "objName" || name == "objDetail"; }

struct Fields {
  std::string type;  // alarmType: metric or event
  bool recovered = false;
  std::string region, ns, app_id, uin, session;
  std::string policy_id, policy_type, policy_name, policy_type_name;
  std::string condition, shown;  // metricName / eventName, and their display names
  std::string product;           // event: productShowName, else productName
  std::string calc_type, calc_value, current, unit, notify_type, period;
  std::string resource_id, resource_name, dimensions;  // dimensions: sorted name=value, the key's part
  std::string first_text, recover_text;
  std::optional<times::Instant> first;
  std::optional<int64_t> duration;
};

bool read_status(const json::Value& body) {
  fields::Text status = fields::text(body, "alarmStatus");
  if (status.view() == "1") return false;
  if (status.view() == "0") return true;
  throw DecodeError("field alarmStatus: expected 1 (alarm) or 0 (resolved), got '" +
                    std::string(status.view().substr(0, 40)) + "'");
}

// The object's id and name among its dimensions (their names differ by product), and the
// dimensions that identify it, sorted.
void read_dimensions(const json::Value& dims, Fields& f) {
  std::vector<std::string> parts;
  std::string first_plain;
  for (auto it = dims.MemberBegin(); it != dims.MemberEnd(); ++it) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (describes(name) || it->value.IsObject() || it->value.IsArray()) continue;
    const std::string value(fields::text_of(it->value, name).view());
    if (value.empty()) continue;
    if (first_plain.empty() && name != "objId") first_plain = value;
    parts.emplace_back();
    append_key_pair(parts.back(), name, value);
  }
  join_sorted(f.dimensions, parts, parts.size());
  // The instance's id, else objId ("the instance dimension bound to the backend", in every
  // metric alarm), else the first other dimension.
  f.resource_id = first({copy(dims, "unInstanceId", "alarmObjInfo.dimensions."),
                         copy(dims, "uInstanceId", "alarmObjInfo.dimensions."),
                         copy(dims, "instanceId", "alarmObjInfo.dimensions."),
                         copy(dims, "objId", "alarmObjInfo.dimensions."), first_plain});
  f.resource_name =
      first({copy(dims, "objName", "alarmObjInfo.dimensions."), copy(dims, "deviceName", "alarmObjInfo.dimensions.")});
}

std::optional<times::Instant> china_time(std::string_view text) {
  std::optional<times::Instant> t = times::parse_local_with_offset(text);
  if (t && !t->has_offset) {
    t->unix -= int64_t{kChinaMinutes} * 60;
    t->offset_minutes = kChinaMinutes;
    t->has_offset = true;
  }
  return t;
}

Fields read_fields(const json::Value& body) {
  Fields f;
  f.recovered = read_status(body);
  f.type = copy(body, "alarmType");
  f.session = copy(body, "sessionId");
  const json::Value& obj = fields::object_or_empty(body, "alarmObjInfo");
  const json::Value& policy = fields::object_or_empty(body, "alarmPolicyInfo");
  const json::Value& cond = fields::object_or_empty(policy, "conditions", "alarmPolicyInfo.");
  f.region = copy(obj, "region", "alarmObjInfo.");
  f.ns = copy(obj, "namespace", "alarmObjInfo.");
  f.app_id = copy(obj, "appId", "alarmObjInfo.");
  f.uin = copy(obj, "uin", "alarmObjInfo.");
  read_dimensions(fields::object_or_empty(obj, "dimensions", "alarmObjInfo."), f);
  f.policy_id = copy(policy, "policyId", "alarmPolicyInfo.");
  f.policy_type = copy(policy, "policyType", "alarmPolicyInfo.");
  f.policy_name = copy(policy, "policyName", "alarmPolicyInfo.");
  f.policy_type_name = copy(policy, "policyTypeCName", "alarmPolicyInfo.");
  constexpr std::string_view kCond = "alarmPolicyInfo.conditions.";
  const std::string event = copy(cond, "eventName", kCond);
  f.condition = first({copy(cond, "metricName", kCond), event});
  // Callbacks from before event alarms had no alarmType: the condition tells.
  if (f.type.empty()) f.type = event.empty() ? "metric" : "event";
  f.shown = first({copy(cond, "metricShowName", kCond), copy(cond, "eventShowName", kCond)});
  f.product = first({copy(cond, "productShowName", kCond), copy(cond, "productName", kCond)});
  f.calc_type = copy(cond, "calcType", kCond);
  f.calc_value = copy(cond, "calcValue", kCond);
  f.current = copy(cond, "currentValue", kCond);
  f.unit = first({copy(cond, "unit", kCond), copy(cond, "calcUnit", kCond)});
  f.notify_type = copy(cond, "alarmNotifyType", kCond);
  f.period = copy(cond, "period", kCond);
  f.first_text = copy(body, "firstOccurTime");
  f.first = china_time(f.first_text);
  f.duration = fields::integer(body, "durationTime");
  f.recover_text = copy(body, "recoverTime");
  return f;
}

std::string threshold(const Fields& f) {
  if (f.calc_value.empty()) return {};
  return (f.calc_type.empty() ? "" : f.calc_type + " ") + f.calc_value + unit_suffix(f.unit);
}

// "CPU utilization > 90% on web-1 (gz): 100%"; "ping unreachable on ins-1 (gz)".
void make_title(std::string& t, const Fields& f) {
  if (f.recovered) t += "Recovered: ";
  t += first({f.shown, f.condition, f.policy_name, "Tencent Cloud Monitor alarm"});
  if (const std::string limit = threshold(f); !limit.empty()) t.append(" ").append(limit);
  const std::string_view who = either(f.resource_name, f.resource_id);
  if (!who.empty()) t.append(" on ").append(who);
  if (!f.region.empty()) t.append(" (").append(f.region).append(")");
  if (!f.current.empty()) t.append(": ").append(f.current).append(unit_suffix(f.unit));
}

void add_labels(Labels& l, const json::Value& body, const Fields& f, DecodeContext& ctx) {
  add_first_labels(l, {.vendor = Vendor::Tencent,
                       .format = kId,
                       .account_id = either(f.uin, f.app_id),
                       .region = f.region,
                       .resource_id = f.resource_id,
                       .resource_name = f.resource_name,
                       .check = either(f.condition, f.policy_name)});
  for (auto [key, value] : {std::pair<std::string_view, std::string_view>{"namespace", f.ns},
                            {"policy_id", f.policy_id},
                            {"policy_name", f.policy_name},
                            {"policy_type", f.policy_type},
                            {"policy_type_name", f.policy_type_name},
                            {"alarm_type", f.type},
                            {f.type == "event" ? "event_type" : "metric", f.condition},
                            {"current_value", f.current},
                            {"unit", f.unit},
                            {"product", f.product},
                            {"app_id", f.app_id},
                            {"notify_type", f.notify_type},
                            {"period", f.period},
                            {"session_id", f.session}}) {
    l.add(key, value);
  }
  l.add("threshold", threshold(f));
  Extras extras(l, ctx, kId, Vendor::Tencent);
  const json::Value& dims = fields::object_or_empty(fields::object_or_empty(body, "alarmObjInfo"), "dimensions");
  for (auto it = dims.MemberBegin(); it != dims.MemberEnd(); ++it) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (name == "objDetail" && it->value.IsObject())
      extras.members("obj_", it->value);
    else
      extras.add_named("dim_", name, extra_text(it->value, Vendor::Tencent));
  }
  extras.finish();
}

// The moment this notification speaks of: a recovery's recoverTime (a time, or seconds after
// the first occurrence), else the first occurrence plus the duration so far.
int64_t event_time(const Fields& f) {
  if (f.recovered) {
    if (auto t = china_time(f.recover_text)) return t->unix;
  }
  if (!f.first) return 0;
  int64_t after = f.duration.value_or(0);
  if (f.recovered) {
    char* end = nullptr;
    const long long seconds = std::strtoll(f.recover_text.c_str(), &end, 10);
    if (end != f.recover_text.c_str() && *end == '\0' && seconds > 0) after = seconds;
  }
  return f.first->unix + (after > 0 && after < 10LL * 365 * 86400 ? after : 0);
}

void make_description(std::string& d, const Fields& f, int64_t when) {
  line(d, "Policy",
       name_and_id(f.policy_name, f.policy_id) + (f.policy_type_name.empty() ? "" : ", ") + f.policy_type_name);
  std::string alarm = f.type.empty() ? std::string() : f.type + " ";
  alarm += name_and_id(f.shown, f.condition);
  if (!f.product.empty()) alarm += ", product " + f.product;
  if (const std::string limit = threshold(f); !limit.empty()) alarm += ", threshold " + limit;
  if (!f.current.empty()) alarm += ", current " + f.current + unit_suffix(f.unit);
  line(d, "Alarm", alarm);
  std::string object = name_and_id(f.resource_name, f.resource_id);
  if (!f.region.empty()) object += (object.empty() ? "in " : " in ") + f.region;
  if (!f.ns.empty()) object += (object.empty() ? "" : ", ") + f.ns;
  line(d, "Object", object);
  line(d, "Dimensions", f.dimensions);
  if (f.first)
    line(d, "First occurred", times::format(*f.first));
  else
    line(d, "First occurred", f.first_text);
  if (f.duration && *f.duration > 0) line(d, "Duration", std::to_string(*f.duration) + " s");
  if (f.recovered && when != 0) line(d, "Recovered", times::format_unix(when, f.first ? &*f.first : nullptr));
  end_description(d);
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  const Fields f = read_fields(body);
  const Status level = map_level(ctx, Vendor::Tencent, kId, f.type, Status::Warning);
  e.status = f.recovered ? Status::Ok : level;
  if (f.recovered) e.alert_severity = level;
  // alert_key: the policy (id, else name), the condition, the region and the object's dimensions.
  make_alert_key(e.alert_key, kId, {either(f.policy_id, f.policy_name), f.condition, f.region, f.dimensions});
  make_title(e.title, f);
  add_labels(e.labels, body, f, ctx);
  const int64_t when = event_time(f);
  make_description(e.description, f, when);
  e.event_time = when;
}

constexpr std::string_view kKeys[] = {"alarmStatus"};

}  // namespace

const Format kAlarmFormat{kId, Vendor::Tencent, kKeys, recognise, decode};

}  // namespace cmrelay::tencent
