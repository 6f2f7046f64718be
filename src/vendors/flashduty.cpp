// flashduty and deadletter: the event is taken back as it was written, with its
// event_status validated as Flashduty does (exactly Critical, Warning, Info or Ok).
#include "vendors/flashduty.h"

#include <rapidjson/document.h>

#include <string>

#include "vendors/fields.h"

namespace cmrelay::flashduty {
namespace {

constexpr std::string_view kStatuses[] = {"Critical", "Warning", "Info", "Ok"};
constexpr Status kStatusValues[] = {Status::Critical, Status::Warning, Status::Info, Status::Ok};

void decode_event(const json::Value& obj, std::string_view where, Event& e) {
  const json::Value* status = fields::get(obj, "event_status");
  std::string_view name = status && status->IsString() ? std::string_view(status->GetString(), status->GetStringLength())
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
}

bool recognise_event(const json::Value& body, std::string& evidence) {
  if (!body.IsObject() || !body.HasMember("event_status") || !body.HasMember("title_rule")) return false;
  evidence = "event_status, title_rule";
  return true;
}

void decode_event_body(json::Value& body, DecodeContext&, EventBatch& out) { decode_event(body, {}, out.next()); }

bool recognise_dead_letter(const json::Value& body, std::string& evidence) {
  if (!body.IsObject()) return false;
  const json::Value* event = fields::get(body, "event");
  if (event == nullptr || !event->IsObject() || !body.HasMember("channel") || !body.HasMember("attempts")) return false;
  evidence = "event, channel, attempts";
  return true;
}

void decode_dead_letter(json::Value& body, DecodeContext&, EventBatch& out) {
  decode_event(*fields::object(body, "event"), "event.", out.next());
}

}  // namespace

const Format kEventFormat{"flashduty", Vendor::Flashduty, recognise_event, decode_event_body};
const Format kDeadLetterFormat{"deadletter", Vendor::Flashduty, recognise_dead_letter, decode_dead_letter};

std::string dead_letter_channel(std::string_view record) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(record.data(), record.size());  // No recursion on deep input.
  // (The pool allocator frees without walking the tree, so destruction does not recurse either.)
  if (doc.HasParseError() || !doc.IsObject()) return {};
  const rapidjson::Value& root = doc;  // Const iterators: C++20 finds RapidJSON's == ambiguous otherwise.
  auto it = root.FindMember("channel");
  if (it == root.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace cmrelay::flashduty
