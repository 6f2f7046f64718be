// volc.event: Volcengine Cloud Monitor event-rule callbacks. One firing event per body; its
// severity is the most severe of the matched rules' levels.
#include <string>

#include "vendors/builders.h"
#include "vendors/common.h"
#include "vendors/extras.h"
#include "vendors/fields.h"
#include "vendors/times.h"
#include "vendors/volcengine.h"

namespace cmrelay::volc {
namespace {

using fields::text;

int rank(Status s) {
  switch (s) {
    case Status::Critical:
      return 3;
    case Status::Warning:
      return 2;
    case Status::Info:
      return 1;
    case Status::Ok:
      return 0;
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

// The matched rules: the deciding one (the first with the most severe level), its status, and
// "name (level), ..." for all of them.
struct Rules {
  const json::Value* list = nullptr;
  const json::Value* top = nullptr;
  Status status = Status::Info;
  std::string text;
};

Rules read_rules(const json::Value& body, DecodeContext& ctx) {
  Rules r;
  r.list = fields::array(body, "Rules");
  if (r.list) {
    for (const json::Value& rule : r.list->GetArray()) {
      fields::Text level = text(rule, "Level", "Rules[].");
      Status s = map_level(ctx, Vendor::Volcengine, "volc.event", level);
      if (r.top == nullptr || rank(s) > rank(r.status)) {
        r.top = &rule;
        r.status = s;
      }
      if (!r.text.empty()) r.text += ", ";
      r.text += text(rule, "RuleName", "Rules[].").view();
      if (!level.empty()) r.text.append(" (").append(level.view()).append(")");
    }
  }
  if (r.top == nullptr) r.status = map_level(ctx, Vendor::Volcengine, "volc.event", {});
  return r;
}

// The body's own fields. Built in place (fields::Text neither copies nor moves).
struct Fields {
  const json::Value& details;
  fields::Text id, event_type, source, region, detail_region, subject, resource_name, description, description_cn;

  std::string_view what() const { return either(description, description_cn); }
  std::string_view where() const { return either(region, detail_region); }
  std::string_view resource() const { return either(resource_name, subject); }
};

const json::Value& details_of(const json::Value& body) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* details = fields::object(body, "Details");
  return details ? *details : kEmpty;
}

Fields read_fields(const json::Value& body, const json::Value& details) {
  return Fields{details,
                text(body, "Id"),
                text(body, "EventType"),
                text(body, "Source"),
                text(body, "Region"),
                text(details, "volcregion", "Details."),
                text(details, "subject", "Details."),
                text(details, "volcresourcename", "Details."),
                text(body, "Description"),
                text(body, "DescriptionCN")};
}

// alert_key: the event's Id, else its Details.id, else what it is about and when.
void make_key(std::string& key, const json::Value& body, const Fields& f) {
  if (!f.id.empty()) {
    make_alert_key(key, "volc.event", {f.id});
  } else if (fields::Text detail_id = text(f.details, "id", "Details."); !detail_id.empty()) {
    make_alert_key(key, "volc.event", {detail_id});
  } else {
    make_alert_key(key, "volc.event", {f.event_type, f.subject, text(body, "HappenedAt").view()});
  }
}

void make_title(std::string& t, const Fields& f) {
  t += f.event_type.empty() ? std::string_view("Volcengine event") : f.event_type.view();
  if (!f.resource().empty()) t.append(" on ").append(f.resource());
  if (!f.where().empty()) t.append(" (").append(f.where()).append(")");
}

void add_labels(Labels& l, const json::Value& body, const Fields& f, const Rules& rules, DecodeContext& ctx) {
  fields::Text account = text(body, "AccountId");
  fields::Text detail_account = text(f.details, "volcaccountid", "Details.");
  add_first_labels(l, {.vendor = Vendor::Volcengine,
                       .format = "volc.event",
                       .account_id = either(account, detail_account),
                       .region = f.where(),
                       .resource_id = f.subject,
                       .resource_name = f.resource_name,
                       .check = f.event_type});
  if (rules.top) {
    l.add("rule_id", text(*rules.top, "RuleId", "Rules[]."));
    l.add("rule_name", text(*rules.top, "RuleName", "Rules[]."));
    l.add("vendor_severity", text(*rules.top, "Level", "Rules[]."));
  }
  l.add("event_type", f.event_type);
  l.add("product", f.source);
  l.add("project", text(body, "ProjectName"));
  l.add("event_id", f.id);
  l.add("volc_trace_id", trace_id(ctx.record, &ctx.warnings));
  if (rules.list && rules.list->Size() > 1) l.add("rules", rules.text);
  Extras extras(l, ctx, "volc.event", Vendor::Volcengine);
  extras.members("detail_", f.details);
  extras.finish();
}

// When: HappenedAt (Unix seconds or milliseconds), else Details.time; 0 when neither reads.
int64_t event_time(const json::Value& body, const Fields& f) {
  if (std::optional<int64_t> happened = fields::integer(body, "HappenedAt"))
    return times::seconds_from_epoch(*happened);
  if (fields::Text t = text(f.details, "time", "Details."); !t.empty()) {
    if (auto parsed = times::parse_local_with_offset(t)) return parsed->unix;
  }
  return 0;
}

void make_description(std::string& d, const Fields& f, const Rules& rules, int64_t when) {
  if (!f.what().empty()) d.append(f.what()).append("\n");
  d.append("Event: ").append(f.event_type.view());
  if (!f.id.empty()) d.append(" (id ").append(f.id.view()).append(")");
  d += '\n';
  if (!f.source.empty() || !f.where().empty()) {
    d.append("Service: ").append(f.source.view());
    if (!f.where().empty()) d.append(f.source.empty() ? "" : ", ").append("region ").append(f.where());
    d += '\n';
  }
  if (!f.resource().empty()) {
    d += "Resource: ";
    append_name_and_id(d, f.resource_name, f.subject);
    d += '\n';
  }
  line(d, "Rules", rules.text);
  if (when != 0) line(d, "Happened at", times::format_unix(when));
  end_description(d);
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  const Rules rules = read_rules(body, ctx);
  const Fields f = read_fields(body, details_of(body));
  e.status = rules.status;
  make_key(e.alert_key, body, f);
  make_title(e.title, f);
  add_labels(e.labels, body, f, rules, ctx);
  const int64_t when = event_time(body, f);  // The description shows it.
  make_description(e.description, f, rules, when);
  e.event_time = when;
}

// Type=Event, or no Type with EventType and Rules.
constexpr std::string_view kKeys[] = {"Type", "EventType"};

}  // namespace

const Format kEventFormat{"volc.event", Vendor::Volcengine, kKeys, recognise, decode};

}  // namespace cmrelay::volc
