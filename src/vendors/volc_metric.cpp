// volc.metric: Volcengine Cloud Monitor alert-policy callbacks (metric and no-data alarms).
// One body is one policy, one Type, one Level and any number of resources: one event each.
#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "text/label_name.h"
#include "vendors/common.h"
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

// Strings reused from resource to resource and body to body, so that decoding a resource
// allocates nothing once they have grown.
struct Scratch {
  std::string where;         // "Resources[3]." for error messages
  std::string metric_where;  // where + "Metrics[]."
  std::string dim_where;     // where + "Dimensions[]."
  std::string dim_key;
  std::string label;
  std::vector<std::string> parts;
};

// "CpuTotal 97.2% (threshold 85%)"
void describe_metric(std::string& out, const json::Value& m, std::string_view where) {
  fields::Text name = text(m, "Name", where);
  fields::Text value = text(m, "CurrentValue", where);
  fields::Text threshold = text(m, "Threshold", where);
  const std::string unit = unit_suffix(text(m, "Unit", where));
  out += name.view();
  if (!value.empty()) {
    out += ' ';
    out += value.view();
    out += unit;
  }
  if (!threshold.empty()) {
    out += " (threshold ";
    out += threshold.view();
    out += unit;
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
    if (v.IsObject()) out += text(v, "Name", where).view();
    else out += fields::text_of(v, "NoDataMetrics").view();
  }
}

void decode_resource(const json::Value& body, const json::Value* res, size_t index, Kind kind,
                     DecodeContext& ctx, Status status, Scratch& scratch, EventBatch& out) {
  Event& e = out.next();
  e.status = status;
  std::string& where = scratch.where;
  where.clear();
  if (res) {
    where += kKinds[static_cast<size_t>(kind)].array;
    where += '[';
    char digits[24];
    where.append(digits, static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, index).ptr - digits));
    where += "].";
  }
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value& r = res ? *res : kEmpty;
  if (!r.IsObject()) {
    throw DecodeError("field " + where.substr(0, where.size() - 1) + ": expected an object, got " +
                      std::string(fields::type_name(r)));
  }

  fields::Text rule_id = text(body, "RuleId");
  fields::Text rule_name = text(body, "RuleName");
  fields::Text level = text(body, "Level");
  fields::Text id = text(r, "Id", where);
  fields::Text name = text(r, "Name", where);
  fields::Text region = text(r, "Region", where);
  const json::Value* metrics = fields::array(r, "Metrics", where);
  const json::Value* dims = fields::array(r, "Dimensions", where);
  const json::Value* metric = primary_metric(metrics);
  std::string& metric_where = scratch.metric_where;
  metric_where.assign(where).append("Metrics[].");
  std::string& dim_where = scratch.dim_where;
  dim_where.assign(where).append("Dimensions[].");

  // alert_key: policy + resource + its dimensions, the same on firing and recovery.
  std::string& dim_key = scratch.dim_key;
  dim_key.clear();
  if (dims) {
    std::vector<std::string>& parts = scratch.parts;
    size_t n = 0;
    for (const json::Value& d : dims->GetArray()) {
      if (n == parts.size()) parts.emplace_back();
      std::string& p = parts[n++];
      p.clear();
      append_key_pair(p, text(d, "Name", dim_where), text(d, "Value", dim_where));
    }
    join_sorted(dim_key, parts, n);
  }
  // AlertGroupId, documented as stable from firing to recovery (and what Volcengine's own
  // tooling pairs on), stands for the dimensions when present: recoveries have been seen with
  // empty Dimensions.
  if (fields::Text group = text(r, "AlertGroupId", where); !group.empty()) {
    dim_key.assign("group=");
    dim_key += group.view();
  }
  if (nodata(kind)) make_alert_key(e.alert_key, "volc.metric", {rule_id, id, dim_key, "nodata"});
  else make_alert_key(e.alert_key, "volc.metric", {rule_id, id, dim_key});

  std::string_view who = !name.empty() ? name.view() : id.view();
  std::string& t = e.title;
  switch (kind) {
    case Kind::Metric: break;
    case Kind::MetricRecovered: t += "Recovered: "; break;
    case Kind::NoData: t += "No data: "; break;
    case Kind::NoDataRecovered: t += "Data resumed: "; break;
  }
  // Never an empty title (Flashduty refuses one): the policy's name, else its id, else the
  // namespace's alarm.
  if (!rule_name.empty()) t += rule_name.view();
  else if (!rule_id.empty()) t += rule_id.view();
  else if (fields::Text ns = text(body, "Namespace"); !ns.empty()) t += std::string(ns.view()) + " alarm";
  else t += "Volcengine metric alarm";
  if (!who.empty()) {
    t += " on ";
    t += who;
  }
  if (nodata(kind)) {
    const json::Value* names = fields::array(r, kind == Kind::NoData ? "NoDataMetrics" : "DroppedMetrics", where);
    if (names && !names->Empty()) {
      t += " (";
      list_names(t, names, where);
      t += ')';
    }
  } else if (metric) {
    t += ": ";
    describe_metric(t, *metric, metric_where);
    // Only the other metrics that breached count: the rest are listed in the description.
    const size_t others = breached_count(metrics) - (breached(*metric) ? 1 : 0);
    if (others > 0) t += " +" + std::to_string(others) + " more breached";
  }

  Labels& l = e.labels;
  l.add("source", "volcengine");
  l.add("format", "volc.metric");
  l.add("account_id", text(body, "AccountId"));
  l.add("region", region);
  l.add("resource_id", id);
  l.add("resource_name", name);
  add_grouping_labels(l, name, id, rule_name.empty() ? rule_id.view() : rule_name.view());
  l.add("rule_id", rule_id);
  l.add("rule_name", rule_name);
  l.add("namespace", text(body, "Namespace"));
  l.add("sub_namespace", text(body, "SubNamespace"));
  if (metric) {
    l.add("metric", text(*metric, "Name", metric_where));
    l.add("current_value", text(*metric, "CurrentValue", metric_where));
    l.add("threshold", text(*metric, "Threshold", metric_where));
    l.add("unit", text(*metric, "Unit", metric_where));
  }
  l.add("event_type", kKinds[static_cast<size_t>(kind)].type);
  l.add("vendor_severity", level);
  l.add("project", text(body, "Project"));
  l.add("project_name", text(r, "ProjectName", where));
  l.add("alert_group_id", text(r, "AlertGroupId", where));
  l.add("volc_trace_id", trace_id(ctx.record, &ctx.warnings));
  if (const json::Value* tags = fields::array(body, "Tags")) {
    for (const json::Value& tag : tags->GetArray()) {
      fields::Text key = text(tag, "Key", "Tags[].");
      std::string& label = scratch.label;
      label.clear();
      append_label_name(label, key);
      if (l.contains(label)) {
        label.assign("tag_");
        append_label_name(label, key);
      }
      l.add(label, text(tag, "Value", "Tags[]."));
    }
  }
  if (dims) {
    for (const json::Value& d : dims->GetArray()) {
      std::string& label = scratch.label;
      label.assign("dim_");
      append_label_name(label, text(d, "Name", dim_where));
      l.add(label, text(d, "Value", dim_where));
    }
  }

  // When: the resource's last alert for a firing, the body's time for a recovery.
  std::optional<times::Instant> happened;
  if (fields::Text h = text(body, "HappenedAt"); !h.empty()) happened = times::parse_local_with_offset(h);
  std::optional<int64_t> first = fields::integer(r, "FirstAlertTime", where);
  std::optional<int64_t> last = fields::integer(r, "LastAlertTime", where);
  if (recovered(kind) && happened) e.event_time = happened->unix;
  else if (last) e.event_time = times::seconds_from_epoch(*last);
  else if (happened) e.event_time = happened->unix;

  std::string& d = e.description;
  d += "Policy: ";
  d += rule_name.view();
  if (!rule_id.empty()) {
    d += " (rule ";
    d += rule_id.view();
    d += ')';
  }
  if (!level.empty()) {
    d += ", level ";
    d += level.view();
  }
  d += '\n';
  if (fields::Text cond = text(body, "RuleCondition"); !cond.empty()) {
    d += "Condition: ";
    d += cond.view();
    d += '\n';
  }
  if (!who.empty()) {
    d += "Resource: ";
    d += who;
    if (!name.empty() && !id.empty() && name.view() != id.view()) {
      d += " (";
      d += id.view();
      d += ')';
    }
    if (!region.empty()) {
      d += " in ";
      d += region.view();
    }
    d += '\n';
  }
  if (fields::Text ns = text(body, "Namespace"); !ns.empty()) {
    d += "Namespace: ";
    d += ns.view();
    if (fields::Text sub = text(body, "SubNamespace"); !sub.empty()) {
      d += " / ";
      d += sub.view();
    }
    d += '\n';
  }
  if (metrics && !metrics->Empty()) {
    d += "Metrics:\n";
    for (const json::Value& m : metrics->GetArray()) {
      d += "- ";
      describe_metric(d, m, metric_where);
      fields::Text desc = text(m, "Description", metric_where);
      fields::Text desc_cn = text(m, "DescriptionCN", metric_where);
      fields::Text desc_cn2 = text(m, "DescriptionCn", metric_where);
      if (std::string_view shown = !desc.empty() ? desc.view() : !desc_cn.empty() ? desc_cn.view() : desc_cn2.view();
          !shown.empty()) {
        d += " - ";
        d += shown;
      }
      if (breached(m)) d += " [breached]";
      if (fields::Text cond = text(m, "TriggerCondition", metric_where); !cond.empty()) {
        d += "\n  when: ";
        d += cond.view();
      }
      d += '\n';
    }
  }
  if (nodata(kind)) {
    const json::Value* names = fields::array(r, kind == Kind::NoData ? "NoDataMetrics" : "DroppedMetrics", where);
    if (names && !names->Empty()) {
      d += kind == Kind::NoData ? "No data for: " : "Dropped metrics: ";
      list_names(d, names, where);
      d += '\n';
    }
  }
  if (happened) {
    d += recovered(kind) ? "Recovered at: " : "Happened at: ";
    times::append_format(d, *happened);
    d += '\n';
  }
  const times::Instant* zone = happened ? &*happened : nullptr;
  if (first) {
    d += "First alert: ";
    times::append_format(d, times::in_zone(times::seconds_from_epoch(*first), zone));
    d += '\n';
  }
  if (last) {
    d += "Last alert: ";
    times::append_format(d, times::in_zone(times::seconds_from_epoch(*last), zone));
    d += '\n';
  }
  if (!d.empty() && d.back() == '\n') d.pop_back();
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
    evidence = "Type=" + std::string(type);
  } else if (!known && type != "Event" && rule && !array.empty()) {
    evidence = type.empty() ? "no Type" : "Type=" + std::string(type);
  } else {
    return false;
  }
  if (rule) evidence += ", RuleId";
  if (!array.empty()) evidence += ", " + std::string(array);
  return true;
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  std::string_view type = str_member(body, "Type");
  Kind kind = Kind::Metric;
  bool known = false;
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (type == kKinds[i].type) {
      kind = static_cast<Kind>(i);
      known = true;
    }
  }
  if (!known) {
    // No (or an unknown) Type: the first non-empty resource array says what happened.
    for (size_t i = 0; i < kKinds.size(); ++i) {
      if (nonempty_array(body, kKinds[i].array)) {
        kind = static_cast<Kind>(i);
        break;
      }
    }
    if (!type.empty()) {
      ctx.warnings.push_back("volc.metric Type '" + std::string(type.substr(0, 64)) +
                             "' is unknown; the resource array decides the status");
    }
  }
  const std::string_view array_name = kKinds[static_cast<size_t>(kind)].array;
  const json::Value* resources = fields::array(body, array_name);
  // Recovered bodies have been seen with the resources under Resources.
  if ((resources == nullptr || resources->Empty()) && kind != Kind::Metric) {
    if (const json::Value* a = nonempty_array(body, "Resources")) resources = a;
  }
  // A no-data alarm fires at its Level unless the severity table has a nodata entry (a route
  // file's volcengine: {nodata: Info} follows Flashduty's Alibaba convention).
  const std::optional<Status> nodata_status =
      kind == Kind::NoData ? ctx.severity.find(Vendor::Volcengine, kNoDataLevel) : std::nullopt;
  const Status status = recovered(kind) ? Status::Ok
                        : nodata_status ? *nodata_status
                                        : map_level(ctx, Vendor::Volcengine, "volc.metric", text(body, "Level"));
  static thread_local Scratch scratch;
  const size_t first = out.size();
  if (resources == nullptr || resources->Empty()) {
    // A policy-level alarm (no-data alarms can come without resources): one event for it.
    decode_resource(body, nullptr, 0, kind, ctx, status, scratch, out);
  } else {
    size_t i = 0;
    for (const json::Value& r : resources->GetArray()) decode_resource(body, &r, i++, kind, ctx, status, scratch, out);
  }
  // A recovery still carries its alert's Level: routing sends it where the alert went.
  if (recovered(kind)) {
    Status alert = ctx.severity.find(Vendor::Volcengine, text(body, "Level")).value_or(Status::Ok);
    for (size_t i = first; i < out.size(); ++i) out[i].alert_severity = alert;
  }
}

}  // namespace

const Format kMetricFormat{"volc.metric", Vendor::Volcengine, recognise, decode};

}  // namespace cmrelay::volc
