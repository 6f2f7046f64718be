// ali.cms2: Alibaba CloudMonitor 2.0 webhooks (the new console's "notification objects"),
// a CloudEvents-like JSON body. One event per body: subtype NORMAL_RESOLVE or status
// RESOLVED / RECOVERED gives Ok, else the body's severity. The public record is thin (a
// resolve can be as small as subtype, time, subject, severity, status and labels), so every
// field may be absent, and the alert_key uses only what a minimal resolve still carries:
// the subject and the resource id, wherever the body names it.
#include <string>

#include "vendors/alibaba.h"
#include "vendors/common.h"
#include "vendors/fields.h"
#include "vendors/times.h"

namespace cmrelay::ali {
namespace {

constexpr std::string_view kId = "ali.cms2";

bool resolved_status(std::string_view status) { return iequals(status, "RESOLVED") || iequals(status, "RECOVERED"); }

std::string_view string_member(const json::Value& body, std::string_view key) {
  const json::Value* v = fields::get(body, key);
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

// The subtype (NORMAL_TRIGGER / NORMAL_RESOLVE...), a CloudEvents envelope of type ALERT, or a
// subject with one of the 2.0 statuses. Bodies of the other Alibaba formats have none of these
// (ali.event has alert, ali.sysevent name + level, ali.threshold alertState).
bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || body.HasMember("alert") || body.HasMember("alertState")) return false;
  const std::string_view subtype = string_member(body, "subtype");
  const std::string_view status = string_member(body, "status");
  const std::string_view type = string_member(body, "type");
  if (subtype.substr(0, 7) == "NORMAL_") {
    evidence = "subtype=" + std::string(subtype.substr(0, 40));
  } else if (iequals(type, "ALERT") && body.HasMember("specversion")) {
    evidence = "type=ALERT, specversion";
  } else if (body.HasMember("subject") && (iequals(status, "OCCURRED") || resolved_status(status))) {
    evidence = "subject, status=" + std::string(status);
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

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  static const json::Value kEmpty(rapidjson::kObjectType);
  auto object_or_empty = [](const json::Value* v) -> const json::Value& { return v && v->IsObject() ? *v : kEmpty; };
  const json::Value& resource = object_or_empty(fields::get(body, "resource"));
  const json::Value& entity = object_or_empty(fields::get(resource, "entity"));
  const json::Value& prop = object_or_empty(fields::get(entity, "prop"));
  const json::Value& tags = object_or_empty(fields::get(resource, "tags"));
  const json::Value& labels = object_or_empty(fields::get(body, "labels"));
  const json::Value& annotations = object_or_empty(fields::get(body, "annotations"));
  const json::Value& data = object_or_empty(fields::get(body, "data"));
  const json::Value& entity_fields = object_or_empty(fields::get(body, "alertEntityFields"));

  const std::string subtype = str(body, "subtype");
  const std::string status = str(body, "status");
  const std::string severity = str(body, "severity");
  const bool resolved = resolved_status(status) || subtype.find("RESOLVE") != std::string::npos;
  e.status = resolved ? Status::Ok : map_level(ctx, Vendor::Alibaba, kId, severity);

  const std::string subject = str(body, "subject");
  const std::string message = str(body, "alertMessage");
  const std::string entity_ref = str(body, "alertEntityId");  // "ecs:i-..."
  std::string resource_id = resource_id_of(entity, labels);
  if (resource_id.empty() && !entity_ref.empty()) {
    const size_t colon = entity_ref.find(':');
    resource_id = colon == std::string::npos ? entity_ref : entity_ref.substr(colon + 1);
  }
  const std::string resource_name = first({str(prop, "instanceName", "resource.entity.prop."),
                                            str(labels, "instanceName", "labels."),
                                            str(entity_fields, "instanceName", "alertEntityFields.")});
  const std::string domain = str(entity, "domain", "resource.entity.");
  const std::string region = first({str(labels, "_cms_region", "labels."), str(tags, "regionId", "resource.tags."),
                                     str(labels, "regionId", "labels."), str(labels, "region", "labels.")});
  const std::string rule_id = str(body, "ruleId");
  const std::string value = first({str(data, "value", "data."), str(annotations, "current_value", "annotations.")});
  const std::string op = str(data, "comparisonOperator", "data.");
  const std::string threshold = str(data, "threshold", "data.");
  const std::string condition = threshold.empty() || op.empty() ? threshold : op + " " + threshold;  // "> 80"

  // alert_key: subject and resource, which a minimal resolve still carries; ruleId, id and
  // traceId do not reach it.
  make_alert_key(e.alert_key, kId, {either(subject, rule_id), resource_id});

  std::string& t = e.title;
  if (resolved) t += "Recovered: ";
  t += either(either(subject, message), "Alibaba CloudMonitor alert");
  const std::string_view who = either(resource_name, resource_id);
  if (!who.empty() && t.find(who) == std::string::npos) {
    t += " on ";
    t += who;
  }

  Labels& l = e.labels;
  l.add("source", "alibaba");
  l.add("format", kId);
  l.add("account_id", str(body, "userId"));
  l.add("region", region);
  l.add("resource_id", resource_id);
  l.add("resource_name", resource_name);
  add_grouping_labels(l, resource_name, resource_id, either(subject, rule_id));
  l.add("rule_id", rule_id);
  l.add("namespace", domain);
  l.add("current_value", value);
  l.add("threshold", condition);
  l.add("event_type", str(body, "type"));
  l.add("vendor_severity", severity);
  l.add("alert_status", status);
  l.add("alert_subtype", subtype);
  l.add("entity_type", str(entity, "entity_type", "resource.entity."));
  l.add("alert_entity_id", entity_ref);
  l.add("workspace", str(body, "workspace"));
  l.add("event_id", str(body, "id"));
  l.add("trace_id", str(body, "traceId"));
  Extras extras(l, ctx, kId, Vendor::Alibaba);
  extras.members("", labels, "label_");
  extras.members("annotation_", annotations);
  extras.members("data_", data);
  extras.members("tag_", tags);
  extras.members("entity_", prop);
  extras.members("entity_", entity_fields);
  extras.finish();

  std::optional<times::Instant> when;
  const std::string time_text = str(body, "time");
  if (!time_text.empty()) when = times::parse_local_with_offset(time_text);
  if (std::optional<int64_t> ms = fields::integer(body, "timestamp")) e.event_time = times::seconds_from_epoch(*ms);
  else if (when) e.event_time = when->unix;

  std::string& d = e.description;
  line(d, "Message", message != subject ? message : std::string());
  std::string state = status;
  if (!subtype.empty()) state += (state.empty() ? "" : " ") + ("(" + subtype + ")");
  if (!severity.empty()) state += (state.empty() ? "severity " : ", severity ") + severity;
  line(d, "Alert", state);
  line(d, "Rule", rule_id);
  std::string where = name_and_id(resource_name, resource_id);
  if (!domain.empty()) where += (where.empty() ? "" : ", ") + domain;
  if (!region.empty()) where += (where.empty() ? "in " : " in ") + region;
  line(d, "Resource", where);
  if (condition.empty()) line(d, "Value", value);
  else line(d, "Value", value.empty() ? "threshold " + condition : value + " (threshold " + condition + ")");
  line(d, "Workspace", str(body, "workspace"));
  line(d, "History", str(body, "alertHistoryUrl"));
  if (e.event_time != 0) line(d, "At", times::format_unix(e.event_time, when ? &*when : nullptr));
  else line(d, "At", time_text);
  end_description(d);
}

}  // namespace

const Format kCms2Format{kId, Vendor::Alibaba, recognise, decode};

}  // namespace cmrelay::ali
