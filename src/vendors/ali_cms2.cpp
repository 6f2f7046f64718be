// ali.cms2: Alibaba CloudMonitor 2.0 webhooks (the new console's "notification objects"),
// a CloudEvents-like JSON body. One event per body: subtype NORMAL_RESOLVE or status
// RESOLVED / RECOVERED gives Ok, else (OCCURRED, PERSISTENT: still firing) the body's severity. The public record is
// thin (a resolve can be as small as subtype, time, subject, severity, status and labels), so every field may be
// absent, and the alert_key uses only what a minimal resolve still carries: the subject and the resource id, wherever
// the body names it.
#include <algorithm>
#include <string>

#include "vendors/alibaba.h"
#include "vendors/builders.h"
#include "vendors/common.h"
#include "vendors/fields.h"
#include "vendors/times.h"

namespace cmrelay::ali {
namespace {

constexpr std::string_view kId = "ali.cms2";

bool resolved_status(std::string_view status) { return iequals(status, "RESOLVED") || iequals(status, "RECOVERED"); }

// The alert statuses of the 2.0 body: OCCURRED and PERSISTENT fire, RESOLVED and RECOVERED end.
bool cms2_status(std::string_view status) {
  return iequals(status, "OCCURRED") || iequals(status, "PERSISTENT") || resolved_status(status);
}

std::string_view string_member(const json::Value& body, std::string_view key) {
  const json::Value* v = fields::get(body, key);
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

// The subtype (NORMAL_TRIGGER / NORMAL_RESOLVE...), a CloudEvents envelope of type ALERT, or
// one of the 2.0 statuses with a subject or with two of the 2.0 body's own keys (workspace,
// ruleId, alertEntityId): a body may come without subtype, specversion and subject. Bodies of
// the other formats have none of these (ali.event has alert, ali.sysevent name + level,
// ali.threshold alertState, am.webhook alerts[] and firing/resolved).
bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || body.HasMember("alert") || body.HasMember("alertState")) return false;
  const std::string_view subtype = string_member(body, "subtype");
  const std::string_view status = string_member(body, "status");
  const std::string_view type = string_member(body, "type");
  const std::string own = keys_present(body, {"workspace", "ruleId", "alertEntityId"});
  const bool two_own = std::count(own.begin(), own.end(), ',') >= 2;
  if (subtype.substr(0, 7) == "NORMAL_") {
    evidence = "subtype=" + std::string(subtype.substr(0, 40));
  } else if (iequals(type, "ALERT") && body.HasMember("specversion")) {
    evidence = "type=ALERT, specversion";
  } else if (cms2_status(status) && body.HasMember("subject")) {
    evidence = "subject, status=" + std::string(status);
  } else if (cms2_status(status) && two_own) {
    evidence = "status=" + std::string(status) + own + keys_present(body, {"resource", "labels"});
    return true;
  } else {
    return false;
  }
  evidence += keys_present(body, {"alertEntityId", "resource", "labels"});
  return true;
}

// Where the resource's id is: resource.entity.entity_id, alertEntityId after its
// "<domain>:" prefix, else a labels member that names an instance (what minimal resolves carry).
std::string resource_id_of(const json::Value& entity, const json::Value& labels) {
  std::string id = str(entity, "entity_id", "resource.entity.");
  if (id.empty()) id = str(entity, "entityId", "resource.entity.");
  if (!id.empty()) return id;
  return first({str(labels, "instanceId", "labels."), str(labels, "instance_id", "labels."),
                str(labels, "resourceId", "labels."), str(labels, "entity_id", "labels.")});
}

// The body's objects, each an empty object when missing or not an object.
struct Objects {
  const json::Value &resource, &entity, &prop, &tags, &labels, &annotations, &data, &entity_fields;
};

const json::Value& object_or_empty(const json::Value& obj, std::string_view key) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* v = fields::get(obj, key);
  return v && v->IsObject() ? *v : kEmpty;
}

Objects read_objects(const json::Value& body) {
  const json::Value& resource = object_or_empty(body, "resource");
  const json::Value& entity = object_or_empty(resource, "entity");
  return Objects{resource,
                 entity,
                 object_or_empty(entity, "prop"),
                 object_or_empty(resource, "tags"),
                 object_or_empty(body, "labels"),
                 object_or_empty(body, "annotations"),
                 object_or_empty(body, "data"),
                 object_or_empty(body, "alertEntityFields")};
}

struct Fields {
  std::string subtype, status, severity;
  bool resolved = false;
  std::string subject, message, entity_ref, resource_id, resource_name, domain, region, rule_id;
  std::string value, condition;  // condition: "> 80"
  std::string time_text;
  std::optional<times::Instant> when;  // time
  std::optional<int64_t> timestamp;
};

std::string read_resource_id(const Objects& o, const std::string& entity_ref) {
  std::string id = resource_id_of(o.entity, o.labels);
  if (id.empty() && !entity_ref.empty()) {
    const size_t colon = entity_ref.find(':');
    id = colon == std::string::npos ? entity_ref : entity_ref.substr(colon + 1);
  }
  return id;
}

Fields read_fields(const json::Value& body, const Objects& o) {
  Fields f;
  f.subtype = str(body, "subtype");
  f.status = str(body, "status");
  f.severity = str(body, "severity");
  f.resolved = resolved_status(f.status) || f.subtype.find("RESOLVE") != std::string::npos;
  f.subject = str(body, "subject");
  f.message = str(body, "alertMessage");
  f.entity_ref = str(body, "alertEntityId");  // "ecs:i-..."
  f.resource_id = read_resource_id(o, f.entity_ref);
  f.resource_name =
      first({str(o.prop, "instanceName", "resource.entity.prop."), str(o.labels, "instanceName", "labels."),
             str(o.entity_fields, "instanceName", "alertEntityFields.")});
  f.domain = str(o.entity, "domain", "resource.entity.");
  f.region = first({str(o.labels, "_cms_region", "labels."), str(o.tags, "regionId", "resource.tags."),
                    str(o.labels, "regionId", "labels."), str(o.labels, "region", "labels.")});
  f.rule_id = str(body, "ruleId");
  f.value = first({str(o.data, "value", "data."), str(o.annotations, "current_value", "annotations.")});
  const std::string op = str(o.data, "comparisonOperator", "data.");
  const std::string threshold = str(o.data, "threshold", "data.");
  f.condition = threshold.empty() || op.empty() ? threshold : op + " " + threshold;
  f.time_text = str(body, "time");
  if (!f.time_text.empty()) f.when = times::parse_local_with_offset(f.time_text);
  f.timestamp = fields::integer(body, "timestamp");
  return f;
}

void make_title(std::string& t, const Fields& f) {
  if (f.resolved) t += "Recovered: ";
  const std::string rule = f.rule_id.empty() ? std::string() : "Alibaba CloudMonitor rule " + f.rule_id;
  t += first({f.subject, f.message, rule, "Alibaba CloudMonitor alert"});
  const std::string_view who = either(f.resource_name, f.resource_id);
  if (!who.empty() && t.find(who) == std::string::npos) t.append(" on ").append(who);
}

void add_labels(Labels& l, const json::Value& body, const Fields& f, const Objects& o, DecodeContext& ctx) {
  const std::string account = str(body, "userId");
  add_first_labels(l, {.vendor = Vendor::Alibaba,
                       .format = kId,
                       .account_id = account,
                       .region = f.region,
                       .resource_id = f.resource_id,
                       .resource_name = f.resource_name,
                       .check = either(f.subject, f.rule_id)});
  l.add("rule_id", f.rule_id);
  l.add("namespace", f.domain);
  l.add("current_value", f.value);
  l.add("threshold", f.condition);
  l.add("event_type", str(body, "type"));
  l.add("vendor_severity", f.severity);
  l.add("alert_status", f.status);
  l.add("alert_subtype", f.subtype);
  l.add("entity_type", str(o.entity, "entity_type", "resource.entity."));
  l.add("alert_entity_id", f.entity_ref);
  l.add("workspace", str(body, "workspace"));
  l.add("event_id", str(body, "id"));
  l.add("trace_id", str(body, "traceId"));
  Extras extras(l, ctx, kId, Vendor::Alibaba);
  extras.members("", o.labels, "label_");
  extras.members("annotation_", o.annotations);
  extras.members("data_", o.data);
  extras.members("tag_", o.tags);
  extras.members("entity_", o.prop);
  extras.members("entity_", o.entity_fields);
  extras.finish();
}

void make_description(std::string& d, const json::Value& body, const Fields& f, int64_t when) {
  line(d, "Message", f.message != f.subject ? f.message : std::string());
  std::string state = f.status;
  if (!f.subtype.empty()) state += (state.empty() ? "" : " ") + ("(" + f.subtype + ")");
  if (!f.severity.empty()) state += (state.empty() ? "severity " : ", severity ") + f.severity;
  line(d, "Alert", state);
  line(d, "Rule", f.rule_id);
  std::string where = name_and_id(f.resource_name, f.resource_id);
  if (!f.domain.empty()) where += (where.empty() ? "" : ", ") + f.domain;
  if (!f.region.empty()) where += (where.empty() ? "in " : " in ") + f.region;
  line(d, "Resource", where);
  if (f.condition.empty())
    line(d, "Value", f.value);
  else
    line(d, "Value", f.value.empty() ? "threshold " + f.condition : f.value + " (threshold " + f.condition + ")");
  line(d, "Workspace", str(body, "workspace"));
  line(d, "History", str(body, "alertHistoryUrl"));
  if (when != 0)
    line(d, "At", times::format_unix(when, f.when ? &*f.when : nullptr));
  else
    line(d, "At", f.time_text);
  end_description(d);
}

// When: timestamp (Unix seconds or milliseconds), else time.
int64_t event_time(const Fields& f) {
  if (f.timestamp) return times::seconds_from_epoch(*f.timestamp);
  return f.when ? f.when->unix : 0;
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  const Objects o = read_objects(body);
  const Fields f = read_fields(body, o);
  e.status = f.resolved ? Status::Ok : map_level(ctx, Vendor::Alibaba, kId, f.severity);
  // alert_key: subject and resource, which a minimal resolve still carries; ruleId, id and
  // traceId do not reach it.
  make_alert_key(e.alert_key, kId, {either(f.subject, f.rule_id), f.resource_id});
  make_title(e.title, f);
  add_labels(e.labels, body, f, o, ctx);
  make_description(e.description, body, f, event_time(f));
  e.event_time = event_time(f);
}

// subtype=NORMAL_..., type=ALERT, or a status.
constexpr std::string_view kKeys[] = {"subtype", "type", "status"};

}  // namespace

const Format kCms2Format{kId, Vendor::Alibaba, kKeys, recognise, decode};

}  // namespace cmrelay::ali
