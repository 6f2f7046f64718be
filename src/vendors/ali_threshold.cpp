// ali.threshold: Alibaba Cloud Monitor's legacy threshold alert callback. A form body of
// strings (or, from 2017-era senders, JSON): alertState ALERT or ALARM fires at triggerLevel
// (Warning when there is none), OK recovers, INSUFFICIENT_DATA fires at the severity table's
// "nodata" level (Info by default, as Flashduty's own integration does). dimensions is Java
// map text, a JSON object, or an array of JSON objects.
#include <algorithm>
#include <string>
#include <vector>

#include "text/ascii.h"
#include "text/label_name.h"
#include "vendors/alibaba.h"
#include "vendors/common.h"
#include "vendors/fields.h"
#include "vendors/java_map.h"
#include "vendors/times.h"

namespace cmrelay::ali {
namespace {

constexpr std::string_view kId = "ali.threshold";

enum class State { Alert, Ok, NoData };

bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || body.HasMember("alert")) return false;
  const json::Value* state = fields::get(body, "alertState");
  if (state == nullptr || !state->IsString() || state->GetStringLength() == 0) return false;
  const std::string found = keys_present(body, {"metricName", "ruleId", "namespace"});
  if (found.empty()) return false;
  evidence = "alertState=" + std::string(state->GetString(), state->GetStringLength()).substr(0, 40) + found;
  return true;
}

const std::string* find_dim(const std::vector<java_map::Entry>& dims, std::string_view key) {
  for (const java_map::Entry& d : dims) {
    if (d.first == key && !present(d.second).empty()) return &d.second;
  }
  return nullptr;
}

// '{' then '"', or '[' then '{' (blanks allowed around them): a JSON object or array of
// objects, which Java map text never is.
bool looks_like_json(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n\f\v";
  size_t i = s.find_first_not_of(kBlank);
  if (i == std::string_view::npos || (s[i] != '{' && s[i] != '[')) return false;
  const char next = s[i] == '{' ? '"' : '{';
  i = s.find_first_not_of(kBlank, i + 1);
  return i != std::string_view::npos && s[i] == next;
}

// The members of a JSON object, or of each object of an array (2017: [{"userId":..,
// "instanceId":..}]), as dimension entries.
void json_dims(const json::Value& v, std::vector<java_map::Entry>& dims) {
  if (v.IsArray()) {
    for (const json::Value& item : v.GetArray()) {
      if (item.IsObject()) json_dims(item, dims);
    }
    return;
  }
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    dims.emplace_back(std::string(it->name.GetString(), it->name.GetStringLength()), label_text(it->value));
  }
}

State read_state(std::string_view text, DecodeContext& ctx) {
  if (iequals(text, "OK")) return State::Ok;
  if (iequals(text, "INSUFFICIENT_DATA") || iequals(text, "NODATA") || iequals(text, "NO_DATA")) return State::NoData;
  if (!iequals(text, "ALERT") && !iequals(text, "ALARM")) {
    ctx.warnings.push_back("ali.threshold alertState '" + std::string(text.substr(0, 64)) +
                           "' is unknown; the body is sent as firing at its triggerLevel");
  }
  return State::Alert;
}

Status read_status(State state, std::string_view level, DecodeContext& ctx) {
  switch (state) {
    case State::Ok: return Status::Ok;
    case State::NoData: return ctx.severity.find(Vendor::Alibaba, kNoDataLevel).value_or(Status::Info);
    case State::Alert: break;
  }
  if (level.empty()) {
    // 2018-era alarms carry no level at all; an alarm is not mere information.
    ctx.warnings.emplace_back("ali.threshold firing alarms without triggerLevel are sent as Warning");
    return Status::Warning;
  }
  return map_level(ctx, Vendor::Alibaba, kId, level);
}

// 2017-era JSON bodies: expression is a JSON array in text, [{"expression":"$Average>90",
// "level":4,"times":2}]; the conditions are joined with " or ". Other text is returned as is.
std::string read_expression(const json::Value& body, DecodeContext& ctx) {
  std::string text = str(body, "expression");
  const size_t at = text.find_first_not_of(" \t\r\n");
  if (at == std::string::npos || text[at] != '[') return text;
  json::Value parsed;
  std::string error;
  if (!ctx.json.parse_more(text, parsed, error) || !parsed.IsArray()) return text;
  std::string joined;
  for (const json::Value& item : parsed.GetArray()) {
    const std::string one = item.IsObject() ? str(item, "expression", "expression[].") : label_text(item);
    if (one.empty()) continue;
    if (!joined.empty()) joined += " or ";
    joined += one;
  }
  return joined.empty() ? text : joined;
}

// The dimension that names the resource, per namespace (products other than ECS have no
// instanceId), with the dimensions that narrow it down (an SLB listener is its port and
// protocol). An unlisted namespace uses instanceId, else its first dimension that is not the
// account or the region.
struct Primary {
  std::string_view ns_prefix;  // "acs_slb" matches acs_slb and acs_slb_dashboard.
  std::string_view key;
  std::string_view qualifiers[2];
};
constexpr Primary kPrimaries[] = {
    {"acs_ecs", "instanceId", {}},
    {"acs_apigateway", "apiUid", {"apiStageName", {}}},
    {"acs_networkmonitor", "taskId", {}},
    {"acs_slb", "instanceId", {"port", "protocol"}},
};

struct Resource {
  std::string id;         // The primary dimension's value.
  std::string qualifier;  // ":443/https", " (RELEASE)": appended where the resource is shown.
};

Resource primary_resource(std::string_view ns, const std::vector<java_map::Entry>& dims) {
  Resource r;
  for (const Primary& p : kPrimaries) {
    if (ns.substr(0, p.ns_prefix.size()) != p.ns_prefix) continue;
    const std::string* id = find_dim(dims, p.key);
    if (id == nullptr) break;
    r.id = *id;
    const std::string* q1 = p.qualifiers[0].empty() ? nullptr : find_dim(dims, p.qualifiers[0]);
    const std::string* q2 = p.qualifiers[1].empty() ? nullptr : find_dim(dims, p.qualifiers[1]);
    if (q1 && q2) r.qualifier = ":" + *q1 + "/" + *q2;
    else if (q1) r.qualifier = " (" + *q1 + ")";
    return r;
  }
  if (const std::string* id = find_dim(dims, "instanceId")) {
    r.id = *id;
    return r;
  }
  for (const java_map::Entry& d : dims) {
    if (d.first != "userId" && d.first != "regionId" && d.first != "region" && !present(d.second).empty()) {
      r.id = d.second;
      break;
    }
  }
  return r;
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  const std::string state_text = str(body, "alertState");
  const std::string level = str(body, "triggerLevel");
  const State state = read_state(state_text, ctx);
  e.status = read_status(state, level, ctx);
  if (state == State::Ok) {
    // preTriggerLevel is the level the alert fired at: routing sends the recovery there.
    e.alert_severity = ctx.severity.find(Vendor::Alibaba, str(body, "preTriggerLevel")).value_or(Status::Ok);
  }

  const std::string rule_id = str(body, "ruleId");
  const std::string rule_name = str(body, "alertName");
  const std::string metric = str(body, "metricName");
  // Blanks around removed: "95 " from the 2017 Curvalue.
  const std::string value(text::trim(first({str(body, "curValue"), str(body, "Curvalue")})));
  const std::string expression = read_expression(body, ctx);
  const std::string unit = str(body, "unit");
  const std::string instance_name = str(body, "instanceName");
  const std::string region_name = str(body, "regionName");
  // dimensions: Java map text; a JSON object or array of objects (as text or, in a JSON body,
  // as is) is read too.
  std::vector<java_map::Entry> dims;
  std::string dims_text, dims_error;
  bool dims_ok = true;
  const json::Value* dims_json = fields::get(body, "dimensions");
  json::Value parsed;
  if (dims_json && dims_json->IsString()) {
    std::string_view raw(dims_json->GetString(), dims_json->GetStringLength());
    std::string ignored;
    const bool json_text = looks_like_json(raw) && ctx.json.parse_more(raw, parsed, ignored);
    dims_json = json_text ? &parsed : nullptr;
  }
  if (dims_json && (dims_json->IsObject() || dims_json->IsArray())) {
    dims_text = json::to_string(*dims_json);
    json_dims(*dims_json, dims);
  } else {
    dims_text = dims_json ? json::to_string(*dims_json) : str(body, "dimensions");
    dims_ok = dims_text.empty() || java_map::parse(dims_text, dims, dims_error);
  }
  if (!dims_ok) {
    ctx.warnings.push_back("ali.threshold field dimensions is not Java map text (" + dims_error +
                           "): kept whole in label dimensions and alert_key");
    dims.clear();
  }
  const std::string ns = first({str(body, "namespace"), str(body, "metricProject")});
  const Resource res = primary_resource(ns, dims);
  std::string region = str(body, "regionId");
  if (region.empty()) {
    if (const std::string* r = find_dim(dims, "regionId")) region = *r;
    else if (const std::string* r2 = find_dim(dims, "region")) region = *r2;
  }

  // alert_key: rule + its sorted dimensions, whatever the state, so OK closes ALERT and
  // INSUFFICIENT_DATA alike (one rule on one resource is in one state at a time). Without
  // dimensions the rule alone would join every resource: instanceName, else transId (stable
  // from trigger to clear), stands in for them.
  std::string dim_key;
  if (dims_ok) {
    std::vector<std::string> parts(dims.size());
    for (size_t i = 0; i < dims.size(); ++i) append_key_pair(parts[i], dims[i].first, dims[i].second);
    join_sorted(dim_key, parts, parts.size());
  } else {
    dim_key = dims_text;
  }
  if (dim_key.empty()) {
    if (!instance_name.empty()) dim_key = "instanceName=" + instance_name;
    else if (std::string trans = str(body, "transId"); !trans.empty()) dim_key = "transId=" + trans;
  }
  make_alert_key(e.alert_key, kId, {either(rule_id, rule_name), dim_key});

  const std::string_view id = res.id;
  const std::string who = name_and_id(instance_name, id) + res.qualifier;
  const std::string shown = std::string(either(instance_name, id)) + (id.empty() ? "" : res.qualifier);
  const std::string suffix = unit_suffix(unit);
  std::string& t = e.title;
  if (state == State::Ok) t += "Recovered: ";
  if (state == State::NoData) t += "No data: ";
  std::string measured = metric;
  if (!metric.empty() && !value.empty() && state != State::NoData) measured += " " + value + suffix;
  threshold_title(t, either(either(rule_name, rule_id), "Alibaba Cloud threshold alert"), shown,
                  measured, metric.empty() ? std::string_view() : std::string_view(expression));

  Labels& l = e.labels;
  l.add("source", "alibaba");
  l.add("format", kId);
  const std::string* dim_user = find_dim(dims, "userId");
  l.add("account_id", either(str(body, "userId"), dim_user ? std::string_view(*dim_user) : std::string_view()));
  l.add("region", region);
  l.add("resource_id", id);
  l.add("resource_name", instance_name);
  add_grouping_labels(l, shown, id, either(either(rule_name, rule_id), metric));
  l.add("rule_id", rule_id);
  l.add("rule_name", rule_name);
  l.add("namespace", ns);
  l.add("metric", metric);
  l.add("current_value", value);
  l.add("threshold", expression);
  l.add("unit", unit);
  l.add("event_type", state_text);
  l.add("vendor_severity", level);
  l.add("pre_trigger_level", str(body, "preTriggerLevel"));
  l.add("raw_metric_name", str(body, "rawMetricName"));
  l.add("metric_project", str(body, "metricProject"));
  l.add("trans_id", str(body, "transId"));
  l.add("group_id", str(body, "groupId"));
  l.add("product_group_name", str(body, "productGroupName"));
  l.add("region_name", region_name);
  l.add("last_time", str(body, "lastTime"));
  if (!dims_ok) l.add("dimensions", dims_text);
  Extras extras(l, ctx, kId);
  for (const java_map::Entry& d : dims) {
    if (!extras.add(label_name("dim_", d.first), present(d.second))) break;
  }

  std::optional<int64_t> when = fields::integer(body, "timestamp");
  if (when) {
    e.event_time = times::seconds_from_epoch(*when);
  } else if (std::string ts = str(body, "timestamp"); !ts.empty()) {
    // A mangled time ("157145442000s") is kept, never dropped silently.
    ctx.warnings.push_back("ali.threshold field timestamp '" + ts.substr(0, 64) +
                           "' is not a Unix time; kept as text in label timestamp");
    Extras(l, ctx, kId).add("timestamp", ts);
  }

  std::string& d = e.description;
  std::string rule = name_and_id(rule_name, rule_id);
  if (!level.empty()) rule += ", level " + level;
  if (std::string pre = str(body, "preTriggerLevel"); !pre.empty()) rule += " (before: " + pre + ")";
  line(d, "Rule", rule);
  switch (state) {
    case State::Alert: line(d, "State", state_text + " (firing)"); break;
    case State::Ok: line(d, "State", state_text + " (recovered)"); break;
    case State::NoData: line(d, "State", state_text + " (no data)"); break;
  }
  if (!expression.empty()) line(d, "Condition", metric.empty() ? expression : metric + " " + expression);
  std::string resource = who;
  if (!region.empty() || !region_name.empty()) resource += (resource.empty() ? "in " : " in ") + name_and_id(region_name, region);
  line(d, "Resource", resource);
  if (!dims_text.empty()) line(d, "Dimensions", dims_text);
  if (!metric.empty()) {
    std::string m = metric;
    if (!value.empty()) m += " = " + value + suffix;
    if (std::string raw = str(body, "rawMetricName"); !raw.empty() && raw != metric) m += " (" + raw + ")";
    line(d, "Metric", m);
  }
  std::string ns_line = str(body, "namespace");
  if (std::string project = str(body, "metricProject"); !project.empty() && project != ns_line) {
    ns_line += (ns_line.empty() ? "project " : " (project ") + project + (ns_line.empty() ? "" : ")");
  }
  line(d, "Namespace", ns_line);
  line(d, "Application group", name_and_id(str(body, "productGroupName"), str(body, "groupId")));
  line(d, "Lasted", str(body, "lastTime"));
  if (when) line(d, "At", times::format_unix(e.event_time));
  line(d, "Transaction", str(body, "transId"));
  end_description(d);
}

}  // namespace

const Format kThresholdFormat{kId, Vendor::Alibaba, recognise, decode};

}  // namespace cmrelay::ali
