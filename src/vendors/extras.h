// Vendor extras (tags, dimensions, event content...) as labels, the one way every decoder adds
// them. They come after an event's contract labels and are added while the event holds fewer
// than Flashduty's 50 labels (Limits::kLabels): past that Flashduty would drop them anyway.
// Each extra left out is counted (one that an earlier label already names is not: the earlier
// label wins whatever the cap), and finish() says the count in one warning.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "event/event.h"
#include "json/parser.h"
#include "vendors/format.h"

namespace cmrelay {

// A value as extra text: scalars as sent, null as empty, objects and arrays as compact JSON.
// For Alibaba, whose senders write the string "null" for an absent value, that string is empty too.
std::string extra_text(const json::Value& v, Vendor vendor);

class Extras {
 public:
  Extras(Labels& labels, DecodeContext& ctx, std::string_view format, Vendor vendor)
      : labels_(labels), ctx_(ctx), format_(format), vendor_(vendor) {}

  // key = value, like Labels::add: nothing when value is empty or key is taken.
  void add(std::string_view key, std::string_view value);
  // prefix + the label name of raw (text/label_name.h) = value; when clash_prefix is given and
  // that name is taken, clash_prefix + the label name instead.
  void add_named(std::string_view prefix, std::string_view raw, std::string_view value,
                 std::string_view clash_prefix = {});
  // Each member of obj through add_named, its text as extra_text(); empty objects and arrays
  // are left out. Nothing when obj is not an object.
  void members(std::string_view prefix, const json::Value& obj, std::string_view clash_prefix = {});

  size_t left_out() const { return left_out_; }
  // When any extra was left out, one warning in ctx.warnings: "<format>: an event has more
  // labels than Flashduty's 50; N vendor extras past the limit were left out". Call it once,
  // after the event's last extra.
  void finish();

 private:
  Labels& labels_;
  DecodeContext& ctx_;
  std::string_view format_;
  Vendor vendor_;
  size_t left_out_ = 0;
};

}  // namespace cmrelay
