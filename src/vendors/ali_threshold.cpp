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
#include "vendors/builders.h"
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
    case State::Ok:
      return Status::Ok;
    case State::NoData:
      return ctx.severity.find(Vendor::Alibaba, kNoDataLevel).value_or(Status::Info);
    case State::Alert:
      break;
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
    if (q1 && q2)
      r.qualifier = ":" + *q1 + "/" + *q2;
    else if (q1)
      r.qualifier = " (" + *q1 + ")";
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

// dimensions: Java map text; a JSON object or array of objects (as text or, in a JSON body,
// as is) is read too. Text that reads as neither is kept whole, with a warning.
struct Dims {
  std::vector<java_map::Entry> list;
  std::string text;
  bool ok = true;
};

Dims read_dims(const json::Value& body, DecodeContext& ctx) {
  Dims dims;
  std::string error;
  const json::Value* dims_json = fields::get(body, "dimensions");
  json::Value parsed;
  if (dims_json && dims_json->IsString()) {
    std::string_view raw(dims_json->GetString(), dims_json->GetStringLength());
    std::string ignored;
    const bool json_text = looks_like_json(raw) && ctx.json.parse_more(raw, parsed, ignored);
    dims_json = json_text ? &parsed : nullptr;
  }
  if (dims_json && (dims_json->IsObject() || dims_json->IsArray())) {
    dims.text = json::to_string(*dims_json);
    json_dims(*dims_json, dims.list);
  } else {
    dims.text = dims_json ? json::to_string(*dims_json) : str(body, "dimensions");
    dims.ok = dims.text.empty() || java_map::parse(dims.text, dims.list, error);
  }
  if (!dims.ok) {
    ctx.warnings.push_back("ali.threshold field dimensions is not Java map text (" + error +
                           "): kept whole in label dimensions and alert_key");
    dims.list.clear();
  }
  return dims;
}

// The callback's fields, its state and status among them.
struct Fields {
  std::string state_text, level;
  State state = State::Alert;
  Status status = Status::Info, alert_severity = Status::Ok;
  std::string rule_id, rule_name, metric, value, expression, unit, instance_name, region_name;
  Dims dims;
  std::string ns, region;
  Resource res;
  std::optional<int64_t> when;  // timestamp, when it is a Unix time
};

void read_state_and_status(const json::Value& body, DecodeContext& ctx, Fields& f) {
  f.state_text = str(body, "alertState");
  f.level = str(body, "triggerLevel");
  f.state = read_state(f.state_text, ctx);
  f.status = read_status(f.state, f.level, ctx);
  // preTriggerLevel is the level the alert fired at: routing sends the recovery there.
  if (f.state == State::Ok) {
    f.alert_severity = ctx.severity.find(Vendor::Alibaba, str(body, "preTriggerLevel")).value_or(Status::Ok);
  }
}

void read_fields(const json::Value& body, DecodeContext& ctx, Fields& f) {
  read_state_and_status(body, ctx, f);
  f.rule_id = str(body, "ruleId");
  f.rule_name = str(body, "alertName");
  f.metric = str(body, "metricName");
  // Blanks around removed: "95 " from the 2017 Curvalue.
  f.value = text::trim(first({str(body, "curValue"), str(body, "Curvalue")}));
  f.expression = read_expression(body, ctx);
  f.unit = str(body, "unit");
  f.instance_name = str(body, "instanceName");
  f.region_name = str(body, "regionName");
  f.dims = read_dims(body, ctx);
  f.ns = first({str(body, "namespace"), str(body, "metricProject")});
  f.res = primary_resource(f.ns, f.dims.list);
  f.region = str(body, "regionId");
  if (f.region.empty()) {
    if (const std::string* r = find_dim(f.dims.list, "regionId"))
      f.region = *r;
    else if (const std::string* r2 = find_dim(f.dims.list, "region"))
      f.region = *r2;
  }
  f.when = fields::integer(body, "timestamp");
}

// alert_key: rule + its sorted dimensions, whatever the state, so OK closes ALERT and
// INSUFFICIENT_DATA alike (one rule on one resource is in one state at a time). Without
// dimensions the rule alone would join every resource: instanceName, else transId (stable
// from trigger to clear), stands in for them.
void make_key(std::string& key, const json::Value& body, const Fields& f) {
  std::string dim_key;
  if (f.dims.ok) {
    std::vector<std::string> parts(f.dims.list.size());
    for (size_t i = 0; i < f.dims.list.size(); ++i)
      append_key_pair(parts[i], f.dims.list[i].first, f.dims.list[i].second);
    join_sorted(dim_key, parts, parts.size());
  } else {
    dim_key = f.dims.text;
  }
  if (dim_key.empty()) {
    if (!f.instance_name.empty())
      dim_key = "instanceName=" + f.instance_name;
    else if (std::string trans = str(body, "transId"); !trans.empty())
      dim_key = "transId=" + trans;
  }
  make_alert_key(key, kId, {either(f.rule_id, f.rule_name), dim_key});
}

// The resource as titles show it: its name, else its id with what narrows it down.
std::string shown_resource(const Fields& f) {
  return std::string(either(f.instance_name, f.res.id)) + (f.res.id.empty() ? "" : f.res.qualifier);
}

void make_title(std::string& t, const Fields& f) {
  if (f.state == State::Ok) t += "Recovered: ";
  if (f.state == State::NoData) t += "No data: ";
  std::string measured = f.metric;
  if (!f.metric.empty() && !f.value.empty() && f.state != State::NoData)
    measured += " " + f.value + unit_suffix(f.unit);
  threshold_title(t, either(either(f.rule_name, f.rule_id), "Alibaba Cloud threshold alert"), shown_resource(f),
                  measured, f.metric.empty() ? std::string_view() : std::string_view(f.expression));
}

void add_contract_labels(Labels& l, const json::Value& body, const Fields& f) {
  const std::string* dim_user = find_dim(f.dims.list, "userId");
  const std::string account = str(body, "userId");
  const std::string shown = shown_resource(f);
  add_first_labels(l, {.vendor = Vendor::Alibaba,
                       .format = kId,
                       .account_id = either(account, dim_user ? std::string_view(*dim_user) : std::string_view()),
                       .region = f.region,
                       .resource_id = f.res.id,
                       .resource_name = f.instance_name,
                       .check = either(either(f.rule_name, f.rule_id), f.metric),
                       .grouped_as = shown});
  l.add("rule_id", f.rule_id);
  l.add("rule_name", f.rule_name);
  l.add("namespace", f.ns);
  l.add("metric", f.metric);
  l.add("current_value", f.value);
  l.add("threshold", f.expression);
  l.add("unit", f.unit);
  l.add("event_type", f.state_text);
  l.add("vendor_severity", f.level);
}

void add_labels(Labels& l, const json::Value& body, const Fields& f, DecodeContext& ctx) {
  add_contract_labels(l, body, f);
  for (std::string_view key : {"preTriggerLevel", "rawMetricName", "metricProject", "transId", "groupId",
                               "productGroupName", "regionName", "lastTime"}) {
    l.add(label_name("", key), str(body, key));
  }
  if (!f.dims.ok) l.add("dimensions", f.dims.text);
  Extras extras(l, ctx, kId, Vendor::Alibaba);
  for (const java_map::Entry& d : f.dims.list) extras.add_named("dim_", d.first, present(d.second));
  if (std::string ts = f.when ? std::string() : str(body, "timestamp"); !ts.empty()) {
    // A mangled time ("157145442000s") is kept, never dropped silently.
    ctx.warnings.push_back("ali.threshold field timestamp '" + ts.substr(0, 64) +
                           "' is not a Unix time; kept as text in label timestamp");
    extras.add("timestamp", ts);
  }
  extras.finish();
}

void describe_rule(std::string& d, const json::Value& body, const Fields& f) {
  std::string rule = name_and_id(f.rule_name, f.rule_id);
  if (!f.level.empty()) rule += ", level " + f.level;
  if (std::string pre = str(body, "preTriggerLevel"); !pre.empty()) rule += " (before: " + pre + ")";
  line(d, "Rule", rule);
  switch (f.state) {
    case State::Alert:
      line(d, "State", f.state_text + " (firing)");
      break;
    case State::Ok:
      line(d, "State", f.state_text + " (recovered)");
      break;
    case State::NoData:
      line(d, "State", f.state_text + " (no data)");
      break;
  }
  if (!f.expression.empty()) line(d, "Condition", f.metric.empty() ? f.expression : f.metric + " " + f.expression);
}

void make_description(std::string& d, const json::Value& body, const Fields& f, int64_t when) {
  describe_rule(d, body, f);
  std::string resource = name_and_id(f.instance_name, f.res.id) + f.res.qualifier;
  if (!f.region.empty() || !f.region_name.empty()) {
    resource += (resource.empty() ? "in " : " in ") + name_and_id(f.region_name, f.region);
  }
  line(d, "Resource", resource);
  line(d, "Dimensions", f.dims.text);
  if (!f.metric.empty()) {
    std::string m = f.metric;
    if (!f.value.empty()) m += " = " + f.value + unit_suffix(f.unit);
    if (std::string raw = str(body, "rawMetricName"); !raw.empty() && raw != f.metric) m += " (" + raw + ")";
    line(d, "Metric", m);
  }
  std::string ns_line = str(body, "namespace");
  if (std::string project = str(body, "metricProject"); !project.empty() && project != ns_line) {
    ns_line += (ns_line.empty() ? "project " : " (project ") + project + (ns_line.empty() ? "" : ")");
  }
  line(d, "Namespace", ns_line);
  line(d, "Application group", name_and_id(str(body, "productGroupName"), str(body, "groupId")));
  line(d, "Lasted", str(body, "lastTime"));
  if (f.when) line(d, "At", times::format_unix(when));
  line(d, "Transaction", str(body, "transId"));
  end_description(d);
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  Fields f;
  read_fields(body, ctx, f);
  e.status = f.status;
  e.alert_severity = f.alert_severity;
  make_key(e.alert_key, body, f);
  make_title(e.title, f);
  add_labels(e.labels, body, f, ctx);
  const int64_t when = f.when ? times::seconds_from_epoch(*f.when) : 0;
  make_description(e.description, body, f, when);
  e.event_time = when;
}

constexpr std::string_view kKeys[] = {"alertState"};

}  // namespace

const Format kThresholdFormat{kId, Vendor::Alibaba, kKeys, recognise, decode};

}  // namespace cmrelay::ali
