// ali.sysevent: Alibaba Cloud Monitor's legacy system-event callback. One firing event per
// body at its level; content is an object or the same as a JSON string. An ECS O&M
// notification (content eventId + eventStatus) is one alert across its notifications, which
// its terminal state resolves.
#include <string>

#include "vendors/alibaba.h"
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

void decode(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  // content: JSON text that does not parse is kept as text, with a warning.
  std::string raw_content;
  const json::Value* content = auxiliary(body, "content", rapidjson::kNullType, ctx, kId, "content", raw_content);
  const SystemEvent s = read_system_event(body);
  const std::string content_id = content ? str(*content, "instanceId", "content.") : std::string();
  const std::string trace_id = str(body, "traceId");
  const Lifecycle om = read_lifecycle(content, "content.");
  e.status = om.terminal ? Status::Ok : map_level(ctx, Vendor::Alibaba, kId, s.level);

  // alert_key: an O&M event by its own id (its notifications update one alert); else the
  // event's id; else what stays the same across deliveries: the event name and the resource's
  // ARN (else its id in content, else its name: ARNs may hold Alibaba's "{instanceId}"
  // placeholder). traceId and times differ from one delivery to the next.
  if (!om.event_id.empty()) make_alert_key(e.alert_key, kId, {"om", om.event_id});
  else if (!s.id.empty()) make_alert_key(e.alert_key, kId, {s.id});
  else make_alert_key(e.alert_key, kId,
                      {s.name, s.resource_id.empty() ? either(content_id, s.instance_name) : std::string_view(s.resource)});

  if (om.terminal) e.title += "Ended: ";
  system_event_title(e.title, s, content_id);

  Labels& l = e.labels;
  l.add("source", "alibaba");
  l.add("format", kId);
  l.add("account_id", either(str(body, "userId"), s.account));
  l.add("region", s.region);
  l.add("resource_id", either(s.resource_id, content_id));
  l.add("resource_name", s.instance_name);
  add_grouping_labels(l, s.instance_name, either(s.resource_id, content_id), s.name);
  l.add("rule_name", str(body, "ruleName"));
  l.add("namespace", s.product);
  l.add("event_type", s.name);
  l.add("vendor_severity", s.level);
  l.add("product", s.product);
  l.add("event_id", s.id);
  l.add("trace_id", trace_id);
  l.add("status", s.status);
  l.add("event_category", s.event_type);
  l.add("group_id", s.group_id);
  l.add("arn", s.resource != s.resource_id ? std::string_view(s.resource) : std::string_view());
  l.add("ver", str(body, "ver"));
  l.add("om_event_id", om.event_id);
  l.add("om_status", om.status);
  const std::string content_text = content ? label_text(*content) : raw_content;
  Extras extras(l, ctx, kId, Vendor::Alibaba);
  if (content && content->IsObject()) extras.members("content_", *content);
  else extras.add("content", content_text);
  extras.finish();

  if (s.time) e.event_time = s.time->unix;

  std::string& d = e.description;
  system_event_description(d, s);
  line(d, "Rule", str(body, "ruleName"));
  line(d, "Content", content_text);
  line(d, "Trace", trace_id);
  end_description(d);
}

}  // namespace

const Format kSysEventFormat{kId, Vendor::Alibaba, recognise, decode};

}  // namespace cmrelay::ali
