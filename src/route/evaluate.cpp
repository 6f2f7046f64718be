// Evaluating cases for one event: the hot path (route) and its explanation (explain) are
// one loop, so they cannot disagree.
#include "route/model.h"
#include "route/route.h"

namespace cmrelay {
namespace route {

Status routing_severity(const Event& e) { return e.status != Status::Ok ? e.status : e.alert_severity; }

bool field_value(const Key& k, const Event& e, std::string_view& out) {
  switch (k.field) {
    case Field::Severity: {
      // Flashduty's severity is Critical, Warning or Info: a recovery is routed as its alert.
      Status s = routing_severity(e);
      if (s == Status::Ok) return false;  // A recovery whose alert's severity is unknown.
      out = status_name(s);
      return true;
    }
    case Field::Status:
      out = e.status == Status::Ok ? "resolved" : "firing";
      return true;
    case Field::DataSource:
      out = k.label;
      return true;  // The channel map's data_source_id.
    case Field::Title:
      out = e.title;
      return true;
    case Field::Description:
      out = e.description;
      return true;
    case Field::Label:
      break;
  }
  // Lengths first: most names differ in length, so most comparisons stop there.
  for (const Label& l : e.labels) {
    if (l.key.size() == k.label.size() && l.key == k.label) {
      out = l.value;
      return true;
    }
  }
  return false;
}

namespace {

// The event's value of each key, looked up (and parsed as a number or an address) at most
// once per event, on the stack. Keys past kSlots are looked up each time.
class Values {
 public:
  Values(const Model& m, const Event& e) : m_(m), e_(e) {}

  // nullptr when the key is absent.
  FieldValue* get(size_t slot) {
    FieldValue* v = slot < kSlots ? &slots_[slot] : &scratch_;
    if (slot < kSlots && (resolved_ >> slot & 1u) != 0) return (present_ >> slot & 1u) != 0 ? v : nullptr;
    const Key& key = m_.keys[slot];
    std::string_view text;
    bool present = field_value(key, e_, text);
    *v = FieldValue(text, key.regexes.get());
    if (slot < kSlots) {
      resolved_ |= uint64_t{1} << slot;
      present_ |= uint64_t{present} << slot;
    }
    return present ? v : nullptr;
  }

 private:
  static constexpr size_t kSlots = 64;
  const Model& m_;
  const Event& e_;
  uint64_t resolved_ = 0;
  uint64_t present_ = 0;
  FieldValue slots_[kSlots];
  FieldValue scratch_;
};

// IN: any value matches; NOTIN: none does. A missing key matches no value.
bool holds(const Condition& c, Values& values, ConditionVerdict* why) {
  FieldValue* value = values.get(c.slot);
  bool present = value != nullptr;
  bool any = false;
  if (present) {
    for (const Matcher& m : c.vals) {
      if (m.matches(*value)) {
        any = true;
        break;
      }
    }
  }
  bool result = c.notin ? !any : any;
  if (why != nullptr) {
    why->text = c.text;
    why->present = present;
    why->seen.assign(present ? value->text : std::string_view());
    why->result = result;
  }
  return result;
}

void add(const Model& m, size_t channel, std::vector<const Channel*>& out, size_t from,
         std::vector<std::string>* names) {
  const Channel* ch = &m.channels[channel];
  for (size_t i = from; i < out.size(); ++i) {
    if (out[i] == ch) return;
  }
  out.push_back(ch);
  if (names != nullptr) names->push_back(ch->name);
}

// kExplain: fill why (every case and condition); otherwise take the shortest way (why is null).
template <bool kExplain>
void evaluate(const Model& m, const Event& e, std::vector<const Channel*>& out, RouteExplanation* why) {
  const size_t from = out.size();
  Values values(m, e);
  bool any_matched = false;
  bool stopped = false;
  for (const Case& k : m.cases) {
    CaseVerdict* v = nullptr;
    if constexpr (kExplain) {
      v = &why->cases.emplace_back();
      v->name = k.name;
      v->line = k.line;
      v->reached = !stopped;
      if (stopped) continue;
    } else if (stopped) {
      break;
    }
    bool all = true;
    for (const Condition& c : k.conditions) {
      // The explanation shows every condition's verdict; routing stops at the first false.
      if (!holds(c, values, kExplain ? &v->conditions.emplace_back() : nullptr)) {
        all = false;
        if constexpr (!kExplain) break;
      }
    }
    if (!all) continue;
    size_t target = m.channels.size();
    if (!k.channel_from.empty()) {
      const std::string* name = e.labels.find(k.channel_from);
      auto it = name != nullptr ? m.by_name.find(*name) : m.by_name.end();
      if (it != m.by_name.end()) target = it->second;
      if constexpr (kExplain) {
        v->note = name == nullptr ? "labels." + k.channel_from + " is absent"
                  : target == m.channels.size()
                      ? "labels." + k.channel_from + " = '" + *name + "' names no declared channel"
                      : "labels." + k.channel_from + " = '" + *name + "'";
      }
    }
    any_matched = true;
    std::vector<std::string>* names = kExplain ? &v->channels : nullptr;
    for (size_t c : k.channels) add(m, c, out, from, names);
    if (target != m.channels.size()) add(m, target, out, from, names);
    if constexpr (kExplain) v->matched = true;
    if (!k.fallthrough) {
      stopped = true;
      if constexpr (kExplain) v->stopped = true;
    }
  }
  // Flashduty: the default applies when no case matched, or when the matched cases gave no
  // channel (a name-mapped label naming none).
  if (out.size() == from) {
    for (size_t c : m.default_channels) add(m, c, out, from, nullptr);
    if constexpr (kExplain) {
      why->default_used = true;
      why->default_reason = any_matched ? "the matched cases gave no channel" : "no case matched";
    }
  }
}

}  // namespace
}  // namespace route

void RouteTable::route(const Event& e, std::vector<const Channel*>& out) const {
  route::evaluate<false>(*m_, e, out, nullptr);
}

void RouteTable::explain(const Event& e, RouteExplanation& why) const {
  why = RouteExplanation();
  Status s = route::routing_severity(e);
  why.severity = s == Status::Ok ? "" : std::string(status_name(s));
  route::evaluate<true>(*m_, e, why.channels, &why);
}

}  // namespace cmrelay
