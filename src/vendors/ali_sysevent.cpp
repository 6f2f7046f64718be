// ali.sysevent: Alibaba Cloud Monitor's legacy system-event callback. One firing event per
// body at its level; content is an object or the same as a JSON string. An ECS O&M
// notification (content eventId + eventStatus) is one alert across its notifications, which
// its terminal state resolves.
#include <string>
#include <utility>

#include "vendors/alibaba.h"
#include "vendors/builders.h"
#include "vendors/common.h"
#include "vendors/fields.h"

namespace cmrelay::ali {
namespace {

constexpr std::string_view kId = "ali.sysevent";

// eventTime + name + product or level; real bodies without eventTime still have name,
// product, level and an "acs:" ARN in resourceId, which no other format has together.
bool recognise(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || body.HasMember("alert") || body.HasMember("alertState")) return false;
  if (!body.HasMember("name")) return false;
  const bool product = body.HasMember("product"), level = body.HasMember("level");
  if (body.HasMember("eventTime")) {
    if (!product && !level) return false;
    evidence = "eventTime, name";
    if (product) evidence += ", product";
    if (level) evidence += ", level";
    return true;
  }
  const json::Value* arn = fields::get(body, "resourceId");
  if (!product || !level || arn == nullptr || !arn->IsString() ||
      std::string_view(arn->GetString(), arn->GetStringLength()).substr(0, 4) != "acs:") {
    return false;
  }
  evidence = "name, product, level, resourceId=acs:...";
  return true;
}

// The callback's fields: the system event, its content (JSON text that does not parse is kept
// as text, with a warning) and the O&M lifecycle in it.
struct Fields {
  const json::Value* content = nullptr;
  std::string raw_content;
  SystemEvent s;
  std::string content_id, trace_id;
  Lifecycle om;
};

void read_fields(json::Value& body, DecodeContext& ctx, Fields& f) {
  f.content = auxiliary(body, "content", rapidjson::kNullType, ctx, kId, "content", f.raw_content);
  f.s = read_system_event(body);
  if (f.content) f.content_id = str(*f.content, "instanceId", "content.");
  f.trace_id = str(body, "traceId");
  f.om = read_lifecycle(f.content, "content.", f.s.name);
}

// alert_key: an O&M event by its own id (its notifications update one alert); else the
// event's id; else what stays the same across deliveries: the event name and the resource's
// ARN (else its id in content, else its name: ARNs may hold Alibaba's "{instanceId}"
// placeholder). traceId and times differ from one delivery to the next.
void make_key(std::string& key, const Fields& f) {
  const SystemEvent& s = f.s;
  if (!f.om.event_id.empty())
    make_alert_key(key, kId, {"om", f.om.event_id});
  else if (!s.id.empty())
    make_alert_key(key, kId, {s.id});
  else
    make_alert_key(
        key, kId,
        {s.name, s.resource_id.empty() ? either(f.content_id, s.instance_name) : std::string_view(s.resource)});
}

void add_labels(Labels& l, const json::Value& body, const Fields& f, const std::string& content_text,
                DecodeContext& ctx) {
  const SystemEvent& s = f.s;
  const std::string account = str(body, "userId");
  add_first_labels(l, {.vendor = Vendor::Alibaba,
                       .format = kId,
                       .account_id = either(account, s.account),
                       .region = s.region,
                       .resource_id = either(s.resource_id, f.content_id),
                       .resource_name = s.instance_name,
                       .check = s.name});
  l.add("rule_name", str(body, "ruleName"));
  for (auto [key, value] : {std::pair<std::string_view, std::string_view>{"namespace", s.product},
                            {"event_type", s.name},
                            {"vendor_severity", s.level},
                            {"product", s.product},
                            {"event_id", s.id},
                            {"trace_id", f.trace_id},
                            {"status", s.status},
                            {"event_category", s.event_type},
                            {"group_id", s.group_id}}) {
    l.add(key, value);
  }
  l.add("arn", s.resource != s.resource_id ? std::string_view(s.resource) : std::string_view());
  l.add("ver", str(body, "ver"));
  l.add("om_event_id", f.om.event_id);
  l.add("om_status", f.om.status);
  Extras extras(l, ctx, kId, Vendor::Alibaba);
  if (f.content && f.content->IsObject())
    extras.members("content_", *f.content);
  else
    extras.add("content", content_text);
  extras.finish();
}

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  Fields f;
  read_fields(body, ctx, f);
  e.status = f.om.terminal ? Status::Ok : map_level(ctx, Vendor::Alibaba, kId, f.s.level);
  // An ended event keeps its level (the end notification repeats it): routing sends it where
  // the alert went.
  if (f.om.terminal) e.alert_severity = ctx.severity.find(Vendor::Alibaba, f.s.level).value_or(Status::Ok);
  make_key(e.alert_key, f);
  if (f.om.terminal) e.title += "Ended: ";
  system_event_title(e.title, f.s, f.content_id);
  const std::string content_text = f.content ? label_text(*f.content) : f.raw_content;
  add_labels(e.labels, body, f, content_text, ctx);
  std::string& d = e.description;
  system_event_description(d, f.s);
  line(d, "Rule", str(body, "ruleName"));
  line(d, "Content", content_text);
  line(d, "Trace", f.trace_id);
  end_description(d);
  if (f.s.time) e.event_time = f.s.time->unix;
}

constexpr std::string_view kKeys[] = {"name"};

}  // namespace

const Format kSysEventFormat{kId, Vendor::Alibaba, kKeys, recognise, decode};

}  // namespace cmrelay::ali
