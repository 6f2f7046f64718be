// volc.event: Volcengine Cloud Monitor event-rule callbacks. One firing event per body; its
// severity is the most severe of the matched rules' levels.
#include <string>

#include "vendors/common.h"
#include "vendors/fields.h"
#include "vendors/times.h"
#include "vendors/volcengine.h"

namespace cmrelay::volc {
namespace {

using fields::text;

int rank(Status s) {
  switch (s) {
    case Status::Critical: return 3;
    case Status::Warning: return 2;
    case Status::Info: return 1;
    case Status::Ok: return 0;
  }
  return 0;
}

bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject()) return false;
  const json::Value* type = fields::get(body, "Type");
  if (type && type->IsString() && std::string_view(type->GetString()) == "Event") {
    evidence = "Type=Event";
    if (body.HasMember("EventType")) evidence += ", EventType";
    if (body.HasMember("Rules")) evidence += ", Rules";
    return true;
  }
  if (type == nullptr && body.HasMember("EventType") && body.HasMember("Rules")) {
    evidence = "no Type, EventType, Rules";
    return true;
  }
  return false;
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* details_ptr = fields::object(body, "Details");
  const json::Value& details = details_ptr ? *details_ptr : kEmpty;
  const json::Value* rules = fields::array(body, "Rules");

  // The deciding rule: the first with the most severe level.
  const json::Value* top = nullptr;
  Status status = Status::Info;
  std::string rule_list;
  if (rules) {
    for (const json::Value& r : rules->GetArray()) {
      fields::Text level = text(r, "Level", "Rules[].");
      Status s = map_level(ctx, Vendor::Volcengine, "volc.event", level);
      if (top == nullptr || rank(s) > rank(status)) {
        top = &r;
        status = s;
      }
      if (!rule_list.empty()) rule_list += ", ";
      rule_list += text(r, "RuleName", "Rules[].").view();
      if (!level.empty()) {
        rule_list += " (";
        rule_list += level.view();
        rule_list += ')';
      }
    }
  }
  if (top == nullptr) status = map_level(ctx, Vendor::Volcengine, "volc.event", {});
  e.status = status;

  fields::Text id = text(body, "Id");
  fields::Text event_type = text(body, "EventType");
  fields::Text source = text(body, "Source");
  fields::Text region = text(body, "Region");
  fields::Text detail_region = text(details, "volcregion", "Details.");
  fields::Text subject = text(details, "subject", "Details.");
  fields::Text resource_name = text(details, "volcresourcename", "Details.");
  fields::Text description = text(body, "Description");
  fields::Text description_cn = text(body, "DescriptionCN");
  std::string_view what = !description.empty() ? description.view() : description_cn.view();
  std::string_view where = !region.empty() ? region.view() : detail_region.view();
  std::string_view resource = !resource_name.empty() ? resource_name.view() : subject.view();

  if (!id.empty()) {
    make_alert_key(e.alert_key, "volc.event", {id});
  } else if (fields::Text detail_id = text(details, "id", "Details."); !detail_id.empty()) {
    make_alert_key(e.alert_key, "volc.event", {detail_id});
  } else {
    make_alert_key(e.alert_key, "volc.event",
                   {event_type, subject, text(body, "HappenedAt").view()});
  }

  e.title += event_type.empty() ? std::string_view("Volcengine event") : event_type.view();
  if (!resource.empty()) {
    e.title += " on ";
    e.title += resource;
  }
  if (!where.empty()) {
    e.title += " (";
    e.title += where;
    e.title += ')';
  }

  Labels& l = e.labels;
  l.add("source", "volcengine");
  l.add("format", "volc.event");
  l.add("account_id", text(body, "AccountId"));
  l.add("account_id", text(details, "volcaccountid", "Details."));
  l.add("region", where);
  l.add("resource_id", subject);
  l.add("resource_name", resource_name);
  add_grouping_labels(l, resource_name, subject, event_type);
  if (top) {
    l.add("rule_id", text(*top, "RuleId", "Rules[]."));
    l.add("rule_name", text(*top, "RuleName", "Rules[]."));
    l.add("vendor_severity", text(*top, "Level", "Rules[]."));
  }
  l.add("event_type", event_type);
  l.add("product", source);
  l.add("project", text(body, "ProjectName"));
  l.add("event_id", id);
  l.add("volc_trace_id", trace_id(ctx.record, &ctx.warnings));
  if (rules && rules->Size() > 1) l.add("rules", rule_list);
  add_object_labels(l, "detail_", details);

  std::optional<int64_t> happened = fields::integer(body, "HappenedAt");
  if (happened) {
    e.event_time = times::seconds_from_epoch(*happened);
  } else if (fields::Text t = text(details, "time", "Details."); !t.empty()) {
    if (auto parsed = times::parse_local_with_offset(t)) e.event_time = parsed->unix;
  }

  std::string& d = e.description;
  if (!what.empty()) {
    d += what;
    d += '\n';
  }
  d += "Event: ";
  d += event_type.view();
  if (!id.empty()) {
    d += " (id ";
    d += id.view();
    d += ')';
  }
  d += '\n';
  if (!source.empty() || !where.empty()) {
    d += "Service: ";
    d += source.view();
    if (!where.empty()) {
      d += source.empty() ? "" : ", ";
      d += "region ";
      d += where;
    }
    d += '\n';
  }
  if (!resource.empty()) {
    d += "Resource: ";
    d += resource;
    if (!resource_name.empty() && !subject.empty() && resource_name.view() != subject.view()) {
      d += " (";
      d += subject.view();
      d += ')';
    }
    d += '\n';
  }
  if (!rule_list.empty()) {
    d += "Rules: ";
    d += rule_list;
    d += '\n';
  }
  if (e.event_time != 0) {
    d += "Happened at: ";
    times::append_format(d, times::in_zone(e.event_time, nullptr));
    d += '\n';
  }
  if (!d.empty() && d.back() == '\n') d.pop_back();
}

}  // namespace

const Format kEventFormat{"volc.event", Vendor::Volcengine, recognise, decode};

}  // namespace cmrelay::volc
