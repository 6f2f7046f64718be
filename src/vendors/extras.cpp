#include "vendors/extras.h"

#include "event/limits.h"
#include "text/label_name.h"
#include "vendors/fields.h"

namespace cmrelay {
namespace {

// Reused from extra to extra and event to event: naming an extra allocates nothing once grown.
thread_local std::string name_scratch;
thread_local std::string text_scratch;

void append_extra_text(std::string& out, const json::Value& v, Vendor vendor) {
  if (v.IsObject() || v.IsArray()) {
    json::append(out, v);
    return;
  }
  fields::Text t = fields::text_of(v, {});
  if (vendor == Vendor::Alibaba && t.view() == "null") return;
  out += t.view();
}

}  // namespace

std::string extra_text(const json::Value& v, Vendor vendor) {
  std::string out;
  append_extra_text(out, v, vendor);
  return out;
}

void Extras::add(std::string_view key, std::string_view value) {
  if (key.empty() || value.empty()) return;
  if (labels_.size() < Limits::kLabels)
    labels_.add(key, value);
  else if (!labels_.contains(key))
    ++left_out_;
}

void Extras::add_named(std::string_view prefix, std::string_view raw, std::string_view value,
                       std::string_view clash_prefix) {
  std::string& name = name_scratch;
  name.assign(prefix);
  append_label_name(name, raw);
  if (!clash_prefix.empty() && labels_.contains(name)) {
    name.assign(clash_prefix);
    append_label_name(name, raw);
  }
  add(name, value);
}

void Extras::members(std::string_view prefix, const json::Value& obj, std::string_view clash_prefix) {
  if (!obj.IsObject()) return;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    const json::Value& v = it->value;
    if ((v.IsObject() && v.ObjectEmpty()) || (v.IsArray() && v.Empty())) continue;
    std::string& text = text_scratch;
    text.clear();
    // Past the cap only whether the text is empty matters, and a non-empty object or array
    // never is: it is not written out.
    if (labels_.size() < Limits::kLabels || !(v.IsObject() || v.IsArray()))
      append_extra_text(text, v, vendor_);
    else
      text.assign("{}");
    add_named(prefix, std::string_view(it->name.GetString(), it->name.GetStringLength()), text, clash_prefix);
  }
}

void Extras::finish() {
  if (left_out_ == 0) return;
  const bool one = left_out_ == 1;
  ctx_.warnings.push_back(
      std::string(format_) + ": an event has more labels than Flashduty's " + std::to_string(Limits::kLabels) + "; " +
      std::to_string(left_out_) +
      (one ? " vendor extra past the limit was left out" : " vendor extras past the limit were left out"));
  left_out_ = 0;
}

}  // namespace cmrelay
