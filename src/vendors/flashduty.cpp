// flashduty and deadletter: the event is taken back as it was written, with its
// event_status validated as Flashduty does (exactly Critical, Warning, Info or Ok).
#include "vendors/flashduty.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "vendors/fields.h"

namespace cmrelay::flashduty {
namespace {

constexpr std::string_view kStatuses[] = {"Critical", "Warning", "Info", "Ok"};
constexpr Status kStatusValues[] = {Status::Critical, Status::Warning, Status::Info, Status::Ok};

// images: [{src, href, alt}], each a string; src required.
void decode_images(const json::Value& obj, std::string_view where, Event& e, std::vector<std::string>& warnings) {
  const json::Value* images = fields::get(obj, "images");
  if (images == nullptr || images->IsNull()) return;
  std::string at = std::string(where) + "images";
  if (!images->IsArray())
    throw DecodeError("field " + at + ": expected an array, got " + std::string(fields::type_name(*images)));
  for (rapidjson::SizeType n = 0; n < images->Size(); ++n) {
    const json::Value& one = (*images)[n];
    std::string here = at + "[" + std::to_string(n) + "]";
    if (!one.IsObject())
      throw DecodeError("field " + here + ": expected an object, got " + std::string(fields::type_name(one)));
    Image& i = e.images.emplace_back();
    i.src.assign(fields::text(one, "src", here + ".").view());
    i.href.assign(fields::text(one, "href", here + ".").view());
    i.alt.assign(fields::text(one, "alt", here + ".").view());
    if (i.src.empty()) throw DecodeError("field " + here + ".src: required");
    for (auto it = one.MemberBegin(); it != one.MemberEnd(); ++it) {
      std::string_view key(it->name.GetString(), it->name.GetStringLength());
      if (key != "src" && key != "href" && key != "alt") {
        warnings.push_back("field " + here + "." + std::string(key) + " is not a Flashduty image field; not sent");
      }
    }
  }
}

// Every top-level field the standard event does not document is said (once per run), not
// dropped silently. "channels" is what convert --routes adds: send routes again.
void warn_unknown(const json::Value& obj, std::string_view where, std::vector<std::string>& warnings) {
  static constexpr std::string_view kKnown[] = {"event_status", "title_rule", "alert_key", "description",
                                                "labels",       "event_time", "images"};
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (std::find(std::begin(kKnown), std::end(kKnown), key) != std::end(kKnown)) continue;
    warnings.push_back(
        key == "channels"
            ? "field " + std::string(where) + "channels (what convert --routes adds) is not part of the event; not kept"
            : "field " + std::string(where) + std::string(key) + " is not a Flashduty standard event field; not sent");
  }
}

void decode_event(const json::Value& obj, std::string_view where, Event& e, std::vector<std::string>& warnings) {
  const json::Value* status = fields::get(obj, "event_status");
  std::string_view name = status && status->IsString()
                              ? std::string_view(status->GetString(), status->GetStringLength())
                              : std::string_view();
  bool known = false;
  for (size_t i = 0; i < std::size(kStatuses); ++i) {
    if (name == kStatuses[i]) {
      e.status = kStatusValues[i];
      known = true;
    }
  }
  if (!known) {
    throw DecodeError("field " + std::string(where) +
                      "event_status: expected Critical, Warning, Info or Ok (case-sensitive), got " +
                      (status && status->IsString() ? "'" + std::string(name.substr(0, 40)) + "'"
                                                    : std::string(status ? fields::type_name(*status) : "nothing")));
  }
  e.title.assign(fields::text(obj, "title_rule", where).view());
  if (e.title.empty()) throw DecodeError("field " + std::string(where) + "title_rule: empty");
  e.alert_key.assign(fields::text(obj, "alert_key", where).view());
  if (e.status == Status::Ok && e.alert_key.empty()) {
    throw DecodeError("field " + std::string(where) + "alert_key: required when event_status is Ok");
  }
  e.description.assign(fields::text(obj, "description", where).view());
  if (const json::Value* labels = fields::object(obj, "labels", where)) {
    std::string name_where = std::string(where) + "labels.";
    for (auto it = labels->MemberBegin(); it != labels->MemberEnd(); ++it) {
      std::string_view key(it->name.GetString(), it->name.GetStringLength());
      e.labels.add(key, fields::text_of(it->value, name_where + std::string(key)).view());
    }
  }
  e.event_time = fields::integer(obj, "event_time", where).value_or(0);
  decode_images(obj, where, e, warnings);
  warn_unknown(obj, where, warnings);
}

bool recognise_event(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || !body.HasMember("event_status") || !body.HasMember("title_rule")) return false;
  evidence = "event_status, title_rule";
  return true;
}

void decode_event_body(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  decode_event(body, {}, out.next(), ctx.warnings);
}

bool recognise_dead_letter(const json::Value& body, std::string& evidence) {
  if (!body.IsObject()) return false;
  const json::Value* event = fields::get(body, "event");
  if (event == nullptr || !event->IsObject() || !body.HasMember("channel") || !body.HasMember("attempts")) return false;
  evidence = "event, channel, attempts";
  return true;
}

// The record's channel is handed over with its event (Event::replay_channel), so that routing
// reads it without parsing the record again. One that is no string names no channel: the
// event is routed afresh.
void decode_dead_letter(json::Value& body, DecodeContext& ctx, EventBatch& out) {
  Event& e = out.next();
  decode_event(*fields::object(body, "event"), "event.", e, ctx.warnings);
  const json::Value* channel = fields::get(body, "channel");
  if (channel != nullptr && channel->IsString())
    e.replay_channel.assign(channel->GetString(), channel->GetStringLength());
}

}  // namespace

constexpr std::string_view kEventKeys[] = {"event_status"};
constexpr std::string_view kDeadLetterKeys[] = {"event"};

const Format kEventFormat{"flashduty", Vendor::Flashduty, kEventKeys, recognise_event, decode_event_body};
const Format kDeadLetterFormat{"deadletter", Vendor::Flashduty, kDeadLetterKeys, recognise_dead_letter,
                               decode_dead_letter};

}  // namespace cmrelay::flashduty
