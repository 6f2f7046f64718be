// volc.metric: Volcengine Cloud Monitor alert-policy callbacks (metric and no-data alarms).
// One body is one policy, one Type, one Level and any number of resources: one event each.
#include <algorithm>
#include <array>
#include <charconv>
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

enum class Kind { Metric, MetricRecovered, NoData, NoDataRecovered };

struct KindInfo {
  std::string_view type;
  std::string_view array;
};
constexpr std::array<KindInfo, 4> kKinds{{
    {"Metric", "Resources"},
    {"MetricRecovered", "RecoveredResources"},
    {"MetricsNoData", "NoDataResources"},
    {"NoDataRecovered", "NoDataRecoveredResources"},
}};

bool recovered(Kind k) { return k == Kind::MetricRecovered || k == Kind::NoDataRecovered; }
bool nodata(Kind k) { return k == Kind::NoData || k == Kind::NoDataRecovered; }

std::string_view str_member(const json::Value& obj, std::string_view key) {
  const json::Value* v = fields::get(obj, key);
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

const json::Value* nonempty_array(const json::Value& body, std::string_view key) {
  const json::Value* a = fields::get(body, key);
  return a && a->IsArray() && !a->Empty() ? a : nullptr;
}

// A metric that breached has "Warning": true; the others carry no Warning key at all.
bool breached(const json::Value& m) {
  const json::Value* w = fields::get(m, "Warning");
  return w && w->IsBool() && w->GetBool();
}

// The metric a title speaks of: the first that breached, else the first.
const json::Value* primary_metric(const json::Value* metrics) {
  if (metrics == nullptr || metrics->Empty()) return nullptr;
  for (const json::Value& m : metrics->GetArray()) {
    if (breached(m)) return &m;
  }
  return &(*metrics)[0];
}

size_t breached_count(const json::Value* metrics) {
  size_t n = 0;
  if (metrics) {
    for (const json::Value& m : metrics->GetArray()) n += breached(m) ? 1 : 0;
  }
  return n;
}

// A metric's fields as text. The primary metric's are read once per resource: its title, its
// labels and its description line all show them. Built in place (fields::Text neither copies
// nor moves).
struct Metric {
  Metric(const json::Value& m, std::string_view where)
      : name(text(m, "Name", where)),
        value(text(m, "CurrentValue", where)),
        threshold(text(m, "Threshold", where)),
        unit(text(m, "Unit", where)),
        suffix(unit_suffix(unit)) {}
  fields::Text name, value, threshold, unit;
  std::string suffix;  // unit_suffix(unit)
};

// The primary metric's Metric, read where it is first needed: a field of the wrong type is then
// reported where it always was (after the alert key's and the title's own fields).
class Primary {
 public:
  Primary(const json::Value* m, std::string_view where) : m_(m), where_(where) {}
  const json::Value* value() const { return m_; }  // primary_metric(), or nullptr.
  const Metric* get() {
    if (m_ == nullptr) return nullptr;
    if (!read_) read_.emplace(*m_, where_);
    return &*read_;
  }

 private:
  const json::Value* m_;
  std::string_view where_;
  std::optional<Metric> read_;
};

// "CpuTotal 97.2% (threshold 85%)"
void describe_metric(std::string& out, const Metric& m) {
  out += m.name.view();
  if (!m.value.empty()) {
    out += ' ';
    out += m.value.view();
    out += m.suffix;
  }
  if (!m.threshold.empty()) {
    out += " (threshold ";
    out += m.threshold.view();
    out += m.suffix;
    out += ')';
  }
}

// Names listed under NoDataMetrics / DroppedMetrics: strings, or objects with a Name.
void list_names(std::string& out, const json::Value* list, std::string_view where) {
  if (list == nullptr) return;
  bool first = true;
  for (const json::Value& v : list->GetArray()) {
    if (!first) out += ", ";
    first = false;
    if (v.IsObject())
      out += text(v, "Name", where).view();
    else
      out += fields::text_of(v, "NoDataMetrics").view();
  }
}

// What a body says once for all its resources: read once per body. Its strings live in the
// thread's Scratch and are reused from body to body, so reading them allocates nothing once
// they have grown.
struct Policy {
  Kind kind = Kind::Metric;
  std::string rule_id, rule_name, level, account, ns, sub_ns, project, condition;
  std::optional<times::Instant> happened;  // HappenedAt
  const json::Value* tags = nullptr;
};

// Strings reused from resource to resource and body to body, so that decoding a resource
// allocates nothing once they have grown.
struct Scratch {
  Policy policy;
  std::string where;         // "Resources[3]." for error messages
  std::string metric_where;  // where + "Metrics[]."
  std::string dim_where;     // where + "Dimensions[]."
  std::string dim_key;
  std::vector<std::string> parts;
};

void assign(std::string& out, const json::Value& body, std::string_view key) { out.assign(text(body, key).view()); }

void read_policy(const json::Value& body, Kind kind, Policy& p) {
  p.kind = kind;
  assign(p.rule_id, body, "RuleId");
  assign(p.rule_name, body, "RuleName");
  assign(p.level, body, "Level");
  assign(p.account, body, "AccountId");
  assign(p.ns, body, "Namespace");
  assign(p.sub_ns, body, "SubNamespace");
  assign(p.project, body, "Project");
  assign(p.condition, body, "RuleCondition");
  p.happened.reset();
  if (fields::Text h = text(body, "HappenedAt"); !h.empty()) p.happened = times::parse_local_with_offset(h);
  p.tags = fields::array(body, "Tags");
}

// One resource's fields. Built in place (fields::Text neither copies nor moves).
struct Resource {
  fields::Text id, name, region, group, project_name;
  const json::Value* metrics;
  const json::Value* dims;
  const json::Value* missing;  // NoDataMetrics (no data) or DroppedMetrics (data resumed)
  std::optional<int64_t> first_alert, last_alert;

  std::string_view who() const { return either(name, id); }
};

// "Resources[3]." (empty for a policy-level event) and the paths below it, for error messages.
void set_where(Scratch& s, Kind kind, const json::Value* res, size_t index) {
  std::string& where = s.where;
  where.clear();
  if (res) {
    where += kKinds[static_cast<size_t>(kind)].array;
    where += '[';
    char digits[24];
    where.append(digits, static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, index).ptr - digits));
    where += "].";
  }
  s.metric_where.assign(where).append("Metrics[].");
  s.dim_where.assign(where).append("Dimensions[].");
}

const json::Value& resource_object(const json::Value* res, const std::string& where) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value& r = res ? *res : kEmpty;
  if (!r.IsObject()) {
    throw DecodeError("field " + where.substr(0, where.size() - 1) + ": expected an object, got " +
                      std::string(fields::type_name(r)));
  }
  return r;
}

// The fields in this order: with several of the wrong type, the first is the one named.
Resource read_resource(const json::Value& r, Kind kind, std::string_view where) {
  return Resource{
      text(r, "Id", where),
      text(r, "Name", where),
      text(r, "Region", where),
      text(r, "AlertGroupId", where),
      text(r, "ProjectName", where),
      fields::array(r, "Metrics", where),
      fields::array(r, "Dimensions", where),
      nodata(kind) ? fields::array(r, kind == Kind::NoData ? "NoDataMetrics" : "DroppedMetrics", where) : nullptr,
      fields::integer(r, "FirstAlertTime", where),
      fields::integer(r, "LastAlertTime", where)};
}

// alert_key: policy + resource + its dimensions, the same on firing and recovery.
// AlertGroupId, documented as stable from firing to recovery (and what Volcengine's own
// tooling pairs on), stands for the dimensions when present: recoveries have been seen with
// empty Dimensions.
void make_key(std::string& key, const Policy& p, const Resource& r, Scratch& s) {
  std::string& dim_key = s.dim_key;
  dim_key.clear();
  if (!r.group.empty()) {
    dim_key.assign("group=");
    dim_key += r.group.view();
  } else if (r.dims) {
    std::vector<std::string>& parts = s.parts;
    size_t n = 0;
    for (const json::Value& d : r.dims->GetArray()) {
      if (n == parts.size()) parts.emplace_back();
      std::string& part = parts[n++];
      part.clear();
      append_key_pair(part, text(d, "Name", s.dim_where), text(d, "Value", s.dim_where));
    }
    join_sorted(dim_key, parts, n);
  }
  if (nodata(p.kind))
    make_alert_key(key, "volc.metric", {p.rule_id, r.id, dim_key, "nodata"});
  else
    make_alert_key(key, "volc.metric", {p.rule_id, r.id, dim_key});
}

void make_title(std::string& t, const Policy& p, const Resource& r, Primary& primary, const Scratch& s) {
  switch (p.kind) {
    case Kind::Metric:
      break;
    case Kind::MetricRecovered:
      t += "Recovered: ";
      break;
    case Kind::NoData:
      t += "No data: ";
      break;
    case Kind::NoDataRecovered:
      t += "Data resumed: ";
      break;
  }
  // Never an empty title (Flashduty refuses one): the policy's name, else its id, else the
  // namespace's alarm.
  if (!p.rule_name.empty() || !p.rule_id.empty())
    t += either(p.rule_name, p.rule_id);
  else if (!p.ns.empty())
    t.append(p.ns).append(" alarm");
  else
    t += "Volcengine metric alarm";
  if (!r.who().empty()) {
    t += " on ";
    t += r.who();
  }
  if (r.missing && !r.missing->Empty()) {
    t += " (";
    list_names(t, r.missing, s.where);
    t += ')';
  } else if (primary.value() != nullptr && !nodata(p.kind)) {
    t += ": ";
    describe_metric(t, *primary.get());
    // Only the other metrics that breached count: the rest are listed in the description.
    const size_t others = breached_count(r.metrics) - (breached(*primary.value()) ? 1 : 0);
    if (others > 0) t += " +" + std::to_string(others) + " more breached";
  }
}

void add_labels(Labels& l, const Policy& p, const Resource& r, Primary& primary, DecodeContext& ctx, const Scratch& s) {
  add_first_labels(l, {.vendor = Vendor::Volcengine,
                       .format = "volc.metric",
                       .account_id = p.account,
                       .region = r.region,
                       .resource_id = r.id,
                       .resource_name = r.name,
                       .check = either(p.rule_name, p.rule_id)});
  l.add("rule_id", p.rule_id);
  l.add("rule_name", p.rule_name);
  l.add("namespace", p.ns);
  l.add("sub_namespace", p.sub_ns);
  if (const Metric* m = primary.get()) {
    l.add("metric", m->name);
    l.add("current_value", m->value);
    l.add("threshold", m->threshold);
    l.add("unit", m->unit);
  }
  l.add("event_type", kKinds[static_cast<size_t>(p.kind)].type);
  l.add("vendor_severity", p.level);
  l.add("project", p.project);
  l.add("project_name", r.project_name);
  l.add("alert_group_id", r.group);
  l.add("volc_trace_id", trace_id(ctx.record, &ctx.warnings));
  Extras extras(l, ctx, "volc.metric", Vendor::Volcengine);
  if (p.tags) {
    for (const json::Value& tag : p.tags->GetArray()) {
      fields::Text key = text(tag, "Key", "Tags[].");
      extras.add_named("", key, text(tag, "Value", "Tags[]."), "tag_");
    }
  }
  if (r.dims) {
    for (const json::Value& d : r.dims->GetArray()) {
      fields::Text name = text(d, "Name", s.dim_where);
      extras.add_named("dim_", name, text(d, "Value", s.dim_where));
    }
  }
  extras.finish();
}

// "Policy: cpu (rule r1), level critical", the condition, the resource and its namespace.
void describe_policy(std::string& d, const Policy& p, const Resource& r) {
  d += "Policy: ";
  d += p.rule_name;
  if (!p.rule_id.empty()) d.append(" (rule ").append(p.rule_id).append(")");
  if (!p.level.empty()) d.append(", level ").append(p.level);
  d += '\n';
  line(d, "Condition", p.condition);
  if (!r.who().empty()) {
    d += "Resource: ";
    append_name_and_id(d, r.name, r.id);
    if (!r.region.empty()) d.append(" in ").append(r.region.view());
    d += '\n';
  }
  if (!p.ns.empty()) {
    d.append("Namespace: ").append(p.ns);
    if (!p.sub_ns.empty()) d.append(" / ").append(p.sub_ns);
    d += '\n';
  }
}

// One "- <metric>[ - <description>][ [breached]]" line per metric, with its condition.
void describe_metrics(std::string& d, const Resource& r, Primary& primary, std::string_view where) {
  const json::Value* metrics = r.metrics;
  if (metrics == nullptr || metrics->Empty()) return;
  d += "Metrics:\n";
  for (const json::Value& m : metrics->GetArray()) {
    d += "- ";
    if (&m == primary.value())
      describe_metric(d, *primary.get());
    else
      describe_metric(d, Metric(m, where));
    fields::Text desc = text(m, "Description", where);
    fields::Text desc_cn = text(m, "DescriptionCN", where);
    fields::Text desc_cn2 = text(m, "DescriptionCn", where);
    if (std::string_view shown = either(either(desc, desc_cn), desc_cn2); !shown.empty()) d.append(" - ").append(shown);
    if (breached(m)) d += " [breached]";
    if (fields::Text cond = text(m, "TriggerCondition", where); !cond.empty())
      d.append("\n  when: ").append(cond.view());
    d += '\n';
  }
}

void describe_time(std::string& d, std::string_view name, const times::Instant& t) {
  d.append(name).append(": ");
  times::append_format(d, t);
  d += '\n';
}

void make_description(std::string& d, const Policy& p, const Resource& r, Primary& primary, const Scratch& s) {
  describe_policy(d, p, r);
  describe_metrics(d, r, primary, s.metric_where);
  if (r.missing && !r.missing->Empty()) {
    d += p.kind == Kind::NoData ? "No data for: " : "Dropped metrics: ";
    list_names(d, r.missing, s.where);
    d += '\n';
  }
  if (p.happened) describe_time(d, recovered(p.kind) ? "Recovered at" : "Happened at", *p.happened);
  const times::Instant* zone = p.happened ? &*p.happened : nullptr;
  if (r.first_alert) describe_time(d, "First alert", times::in_zone(times::seconds_from_epoch(*r.first_alert), zone));
  if (r.last_alert) describe_time(d, "Last alert", times::in_zone(times::seconds_from_epoch(*r.last_alert), zone));
  end_description(d);
}

// When: the resource's last alert for a firing, the body's time for a recovery.
int64_t event_time(const Policy& p, const Resource& r) {
  if (recovered(p.kind) && p.happened) return p.happened->unix;
  if (r.last_alert) return times::seconds_from_epoch(*r.last_alert);
  return p.happened ? p.happened->unix : 0;
}

void decode_resource(const json::Value* res, size_t index, DecodeContext& ctx, Status status, Scratch& s,
                     EventBatch& out) {
  const Policy& p = s.policy;
  Event& e = out.next();
  e.status = status;
  set_where(s, p.kind, res, index);
  const Resource r = read_resource(resource_object(res, s.where), p.kind, s.where);
  Primary primary(primary_metric(r.metrics), s.metric_where);
  make_key(e.alert_key, p, r, s);
  make_title(e.title, p, r, primary, s);
  add_labels(e.labels, p, r, primary, ctx, s);
  make_description(e.description, p, r, primary, s);
  e.event_time = event_time(p, r);
}

bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject()) return false;
  std::string_view type = str_member(body, "Type");
  bool known = false;
  for (const KindInfo& k : kKinds) known |= type == k.type;
  std::string_view array;
  for (const KindInfo& k : kKinds) {
    if (body.HasMember(rapidjson::StringRef(k.array.data(), k.array.size()))) {
      array = k.array;
      break;
    }
  }
  const bool rule = body.HasMember("RuleId");
  if (known && (rule || !array.empty())) {
    evidence.assign("Type=").append(type);
  } else if (!known && type != "Event" && rule && !array.empty()) {
    if (type.empty())
      evidence.assign("no Type");
    else
      evidence.assign("Type=").append(type);
  } else {
    return false;
  }
  if (rule) evidence += ", RuleId";
  if (!array.empty()) evidence.append(", ").append(array);
  return true;
}

// The body's Type, else (no or an unknown Type) the first non-empty resource array.
Kind read_kind(const json::Value& body, DecodeContext& ctx) {
  std::string_view type = str_member(body, "Type");
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (type == kKinds[i].type) return static_cast<Kind>(i);
  }
  if (!type.empty()) {
    ctx.warnings.push_back("volc.metric Type '" + std::string(type.substr(0, 64)) +
                           "' is unknown; the resource array decides the status");
  }
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (nonempty_array(body, kKinds[i].array)) return static_cast<Kind>(i);
  }
  return Kind::Metric;
}

const json::Value* read_resources(const json::Value& body, Kind kind) {
  const json::Value* resources = fields::array(body, kKinds[static_cast<size_t>(kind)].array);
  // Recovered bodies have been seen with the resources under Resources.
  if ((resources == nullptr || resources->Empty()) && kind != Kind::Metric) {
    if (const json::Value* a = nonempty_array(body, "Resources")) resources = a;
  }
  return resources;
}

// A no-data alarm fires at its Level unless the severity table has a nodata entry (a route
// file's volcengine: {nodata: Info} follows Flashduty's Alibaba convention).
Status read_status(const Policy& p, DecodeContext& ctx) {
  if (recovered(p.kind)) return Status::Ok;
  if (p.kind == Kind::NoData) {
    if (std::optional<Status> s = ctx.severity.find(Vendor::Volcengine, kNoDataLevel)) return *s;
  }
  return map_level(ctx, Vendor::Volcengine, "volc.metric", p.level);
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  static thread_local Scratch scratch;
  const Kind kind = read_kind(body, ctx);
  const json::Value* resources = read_resources(body, kind);
  read_policy(body, kind, scratch.policy);
  const Status status = read_status(scratch.policy, ctx);
  const size_t start = out.size();
  if (resources == nullptr || resources->Empty()) {
    // A policy-level alarm (no-data alarms can come without resources): one event for it.
    decode_resource(nullptr, 0, ctx, status, scratch, out);
  } else {
    size_t i = 0;
    for (const json::Value& r : resources->GetArray()) decode_resource(&r, i++, ctx, status, scratch, out);
  }
  // A recovery still carries its alert's Level: routing sends it where the alert went.
  if (recovered(kind)) {
    Status alert = ctx.severity.find(Vendor::Volcengine, scratch.policy.level).value_or(Status::Ok);
    for (size_t i = start; i < out.size(); ++i) out[i].alert_severity = alert;
  }
}

// A known Type, else a RuleId (with a resource array).
constexpr std::string_view kKeys[] = {"Type", "RuleId"};

}  // namespace

const Format kMetricFormat{"volc.metric", Vendor::Volcengine, kKeys, recognise, decode};

}  // namespace cmrelay::volc
