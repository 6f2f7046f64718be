#include "vendors/alibaba.h"
#include "vendors/fields.h"

namespace cmrelay::ali {

std::string str(const json::Value& obj, std::string_view key, std::string_view where) {
  fields::Text t = fields::text(obj, key, where);
  return std::string(present(t));
}

void threshold_title(std::string& t, std::string_view rule, std::string_view resource, std::string_view metric,
                     std::string_view condition) {
  t += rule;
  if (!resource.empty()) {
    t += " on ";
    t += resource;
  }
  if (!metric.empty()) {
    t += ": ";
    t += metric;
  }
  if (!condition.empty()) {
    t += " (";
    t += condition;
    t += ')';
  }
}

const json::Value* auxiliary(json::Value& obj, std::string_view key, rapidjson::Type want, DecodeContext& ctx,
                             std::string_view format, std::string_view label, std::string& raw,
                             std::string_view where) {
  raw.clear();
  const json::Value* v = nullptr;
  std::string problem;
  try {
    v = fields::nested_json(obj, key, ctx.json, where);
  } catch (const DecodeError& e) {
    v = fields::get(obj, key);  // Left as the string it was.
    problem = e.what();
    if (!problem.empty() && problem.back() == '.') problem.pop_back();  // The parser's full stop.
  }
  if (v == nullptr) return nullptr;
  if (problem.empty()) {
    if (want == rapidjson::kNullType || v->GetType() == want) return v;
    problem = "field " + std::string(where) + std::string(key) + ": expected " +
              (want == rapidjson::kArrayType ? "an array" : "an object") + ", got " +
              std::string(fields::type_name(*v));
  }
  raw = label_text(*v);
  ctx.warnings.push_back(std::string(format) + " " + problem + "; kept as text in label " + std::string(label));
  return nullptr;
}

std::string label_text(const json::Value& v) { return extra_text(v, Vendor::Alibaba); }

Arn parse_arn(std::string_view text) {
  Arn arn;
  if (text.substr(0, 4) != "acs:") {
    arn.id = text;
    return arn;
  }
  std::string_view rest = text.substr(4);
  std::string_view* parts[] = {&arn.product, &arn.region, &arn.account};
  for (std::string_view* p : parts) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return Arn{{}, {}, {}, {}, text};
    *p = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  // "instance/i-bp1xyz"; a resource without a type is the id itself.
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    arn.id = rest;
  } else {
    arn.type = rest.substr(0, slash);
    arn.id = rest.substr(slash + 1);
  }
  return arn;
}

SystemEvent read_system_event(const json::Value& obj, std::string_view where) {
  SystemEvent s;
  s.name = str(obj, "name", where);
  if (s.name.empty()) s.name = str(obj, "eventNameEn", where);
  if (s.name.empty()) s.name = str(obj, "eventNameZh", where);
  s.id = str(obj, "id", where);
  s.level = str(obj, "level", where);
  s.status = str(obj, "status", where);
  s.product = str(obj, "product", where);
  s.event_type = str(obj, "eventType", where);
  s.instance_name = str(obj, "instanceName", where);
  s.group_id = str(obj, "groupId", where);
  s.resource = str(obj, "resourceId", where);
  const Arn arn = parse_arn(s.resource);
  // Alibaba sometimes sends its template placeholder ("instance/{instanceId}"): no id at all.
  const bool placeholder = arn.id.size() >= 2 && arn.id.front() == '{' && arn.id.back() == '}';
  s.resource_id = placeholder ? std::string_view() : arn.id;
  s.account = arn.account;
  s.region = either(str(obj, "regionId", where), arn.region);
  s.event_time = str(obj, "eventTime", where);
  if (!s.event_time.empty()) s.time = times::parse_compact_iso(s.event_time);
  if (!s.event_time.empty() && !s.time) s.time = times::parse_local_with_offset(s.event_time);  // ISO 8601 with dashes
  return s;
}

Lifecycle read_lifecycle(const json::Value* content, std::string_view where, std::string_view event_name) {
  Lifecycle l;
  if (content == nullptr || !content->IsObject()) return l;
  l.event_id = str(*content, "eventId", where);
  if (l.event_id.empty()) return l;
  l.status = str(*content, "eventStatus", where);
  if (l.status.empty()) {
    const size_t colon = event_name.rfind(':');
    if (colon != std::string_view::npos) l.status = event_name.substr(colon + 1);
  }
  for (std::string_view end : {"Executed", "Canceled", "Cancelled", "Failed", "Avoided"}) {
    l.terminal |= iequals(l.status, end);
  }
  l.terminal |= !str(*content, "executeFinishTime", where).empty();
  return l;
}

void system_event_title(std::string& t, const SystemEvent& s, std::string_view resource_fallback) {
  t += either(s.name, "Alibaba Cloud system event");
  std::string_view who = either(either(s.instance_name, s.resource_id), resource_fallback);
  if (!who.empty()) {
    t += " on ";
    t += who;
  }
  if (!s.region.empty()) {
    t += " (";
    t += s.region;
    t += ')';
  }
  if (!s.status.empty()) {
    t += ": ";
    t += s.status;
  }
}

void system_event_description(std::string& d, const SystemEvent& s) {
  // Each line is put together here first (line() leaves an empty one out): reused, so that
  // describing an event allocates nothing once it has grown.
  thread_local std::string part;
  part.assign(s.name);
  if (!s.id.empty()) {
    const bool named = !part.empty();
    part += named ? " (id " : "id ";
    part += s.id;
    if (named) part += ')';
  }
  line(d, "Event", part);
  part.assign(s.event_type);
  if (!s.status.empty()) part.append(part.empty() ? "status " : ", status ").append(s.status);
  if (!s.level.empty()) part.append(part.empty() ? "level " : ", level ").append(s.level);
  line(d, "Type", part);
  part.clear();
  append_name_and_id(part, s.instance_name, s.resource_id);
  if (!s.region.empty()) part.append(part.empty() ? "in " : " in ").append(s.region);
  line(d, "Resource", part);
  line(d, "Product", s.product);
  if (s.resource != s.resource_id) line(d, "ARN", s.resource);
  if (s.time) {
    part.clear();
    times::append_format(part, *s.time);
    line(d, "Happened at", part);
  } else {
    line(d, "Happened at", s.event_time);
  }
}

}  // namespace cmrelay::ali
