// What every decoder does the same way: severity, alert_key, and vendor extras as labels.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "json/parser.h"
#include "vendors/format.h"

namespace cmrelay {

// Maps a vendor level through the context's table. An unknown or missing level gives
// unknown (Info unless the format says otherwise) and a once-per-run warning; the raw level is
// kept in the label vendor_severity.
Status map_level(DecodeContext& ctx, Vendor vendor, std::string_view format, std::string_view level,
                 Status unknown = Status::Info);

// Flashduty's grouping labels: resource (the resource's name, else its id) and check (the
// rule, event or metric that fired). Flashduty groups on labels.resource by default.
void add_grouping_labels(Labels& labels, std::string_view resource_name, std::string_view resource_id,
                         std::string_view check);

// The labels every converted event starts with, in this order (route files are written against
// them): source (the vendor's name), format, account_id, region, resource_id, resource_name,
// then the grouping labels resource (grouped_as, else resource_name, else resource_id) and check.
struct FirstLabels {
  Vendor vendor;
  std::string_view format, account_id, region, resource_id, resource_name, check;
  std::string_view grouped_as = {};  // The resource as grouping shows it, when not by its name.
};
void add_first_labels(Labels& labels, const FirstLabels& f);

// alert_key = "<format>/<part>/<part>...", each part with '/' and '%' percent-escaped so that
// distinct parts never join into the same key. A key longer than 255 characters becomes
// "<format>/h/<16 hex digits of FNV-1a 64 of the full key>".
void make_alert_key(std::string& out, std::string_view format, std::initializer_list<std::string_view> parts);

// Appends "name=value" to a key part, with '\\', ',' and '=' in name and value escaped by a
// backslash, so that two different dimension sets never write the same text ("a=1,b=2" as a
// value cannot pose as two pairs). Text without those characters is written as is.
void append_key_pair(std::string& out, std::string_view name, std::string_view value);

// Sorts parts[0, n) and appends them to out joined by ',' (a dimension set in a stable order).
void join_sorted(std::string& out, std::vector<std::string>& parts, size_t n);

// ", key, key..." for those of keys that body has (evidence for detection); empty if none.
std::string keys_present(const json::Value& body, std::initializer_list<std::string_view> keys);

// A unit for display: "Percent" -> "%", "", "Count" and "None" -> "", else " <unit>".
std::string unit_suffix(std::string_view unit);

}  // namespace cmrelay
