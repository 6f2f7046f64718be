// Alibaba Cloud Monitor callback formats, and what they share.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "event/event.h"
#include "text/ascii.h"
#include "vendors/builders.h"
#include "vendors/extras.h"
#include "vendors/format.h"
#include "vendors/times.h"

namespace cmrelay::ali {

extern const Format kEventFormat;      // ali.event: Event Center subscription push (JSON or FORM)
extern const Format kThresholdFormat;  // ali.threshold: legacy threshold alert callback (form)
extern const Format kSysEventFormat;   // ali.sysevent: legacy system-event callback
extern const Format kCms2Format;       // ali.cms2: CloudMonitor 2.0 webhook (notification objects)

// "acs:<product>:<region>:<account>:<type>/<id>". Text that is not an ARN leaves every part
// empty but id, which is then the whole text.
struct Arn {
  std::string_view product, region, account, type, id;
};
Arn parse_arn(std::string_view text);

// Alibaba senders write the literal string "null" for an absent value.
inline std::string_view present(std::string_view v) { return v == "null" ? std::string_view() : v; }

// A field's text (numbers spelled out) with "null" read as absent. Throws DecodeError like
// fields::text for an object or array.
std::string str(const json::Value& obj, std::string_view key, std::string_view where = {});

// A system event as both the legacy callback (the body) and the subscription push
// (alert.meta.sysEventMeta) describe it: the same field names in both.
struct SystemEvent {
  std::string name, id, level, status, product, event_type, instance_name, group_id;
  std::string resource;              // resourceId: an ARN, or a plain id.
  std::string region;                // regionId, else the ARN's region.
  std::string resource_id, account;  // From the ARN (resource_id: the whole text if no ARN).
  std::string event_time;            // As sent: "20250314T133000.120+0800".
  std::optional<times::Instant> time;
};
SystemEvent read_system_event(const json::Value& obj, std::string_view where = {});

// An ECS system event's lifecycle (O&M events, and exceptions such as a stalled disk), from its
// content: eventId stays the same across the notifications of one event; eventStatus moves
// Scheduled -> Executing -> a terminal state. Exception events carry no eventStatus: their
// state is the event name's last part ("Disk:Stalled:Executed"), and their end notification
// adds executeFinishTime (the ECS documentation's stalled disk keeps the name ...:Executing).
struct Lifecycle {
  std::string event_id, status;
  bool terminal = false;  // Executed, Canceled, Failed or Avoided, or finished: the event is over.
};
// Empty event_id when content carries no lifecycle. event_name: the system event's name.
Lifecycle read_lifecycle(const json::Value* content, std::string_view where, std::string_view event_name);

// "Instance:StateChange on web-3 (cn-hangzhou): Stopped"; resource is the fallback when
// the event names no instance.
void system_event_title(std::string& t, const SystemEvent& s, std::string_view resource_fallback = {});
// Event, resource, product, status and time lines.
void system_event_description(std::string& d, const SystemEvent& s);

// A threshold alert's title after any "Recovered: " prefix:
// "<rule> on <resource>: <metric> (<condition>)", each part left out when empty.
void threshold_title(std::string& t, std::string_view rule, std::string_view resource, std::string_view metric,
                     std::string_view condition);

using text::iequals;  // Alibaba states and levels come in any case.

// An auxiliary member (subscription, userInfo, customLabels...) that should hold an object
// (want kObjectType) or an array (kArrayType), maybe as JSON text (FORM mode); kNullType takes
// any value. Returns it, or nullptr when it is missing. A malformed one does not reject the body
// (only alert itself does): JSON text that does not parse, or a value of another type, gives
// nullptr, its text in raw (scalars as sent, objects and arrays as compact JSON) for the caller
// to keep in the label named label, and a warning in ctx.warnings.
const json::Value* auxiliary(json::Value& obj, std::string_view key, rapidjson::Type want, DecodeContext& ctx,
                             std::string_view format, std::string_view label, std::string& raw,
                             std::string_view where = {});

// A value as label text: extra_text() for Alibaba (the string "null" is empty).
std::string label_text(const json::Value& v);

}  // namespace cmrelay::ali
