#include "vendors/common.h"

#include <algorithm>
#include <cstdio>

#include "text/ascii.h"
#include "text/hash.h"
#include "text/label_name.h"
#include "vendors/fields.h"

namespace cmrelay {

Status map_level(DecodeContext& ctx, Vendor vendor, std::string_view format, std::string_view level, Status unknown) {
  if (auto s = ctx.severity.find(vendor, level)) return *s;
  const std::string as = std::string(" sent as ") + std::string(status_name(unknown));
  if (text::trim(level).empty()) {
    ctx.warnings.push_back(std::string(format) + " bodies without a severity level are" + as);
  } else {
    ctx.warnings.push_back("unknown " + std::string(vendor_name(vendor)) + " severity '" +
                           std::string(level.substr(0, 64)) + "' is" + as +
                           " (the original is in label vendor_severity)");
  }
  return unknown;
}

void add_grouping_labels(Labels& labels, std::string_view resource_name, std::string_view resource_id,
                         std::string_view check) {
  labels.add("resource", resource_name.empty() ? resource_id : resource_name);
  labels.add("check", check);
}

void add_first_labels(Labels& labels, const FirstLabels& f) {
  labels.add("source", vendor_name(f.vendor));
  labels.add("format", f.format);
  labels.add("account_id", f.account_id);
  labels.add("region", f.region);
  labels.add("resource_id", f.resource_id);
  labels.add("resource_name", f.resource_name);
  add_grouping_labels(labels, f.grouped_as.empty() ? f.resource_name : f.grouped_as, f.resource_id, f.check);
}

void make_alert_key(std::string& out, std::string_view format, std::initializer_list<std::string_view> parts) {
  out.assign(format);
  for (std::string_view p : parts) {
    out += '/';
    while (!p.empty()) {
      // By hand: find_first_of("/%") calls memchr on the two-byte set once per byte.
      size_t special = 0;
      while (special < p.size() && p[special] != '/' && p[special] != '%') ++special;
      out.append(p.substr(0, special));
      if (special == p.size()) break;
      out += p[special] == '/' ? "%2F" : "%25";
      p.remove_prefix(special + 1);
    }
  }
  if (out.size() > 255) {
    const std::string hex = text::fnv1a64_hex(out);
    out.assign(format);
    out += "/h/";
    out += hex;
  }
}

namespace {
void append_key_text(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
}
}  // namespace

void append_key_pair(std::string& out, std::string_view name, std::string_view value) {
  append_key_text(out, name);
  out += '=';
  append_key_text(out, value);
}

void join_sorted(std::string& out, std::vector<std::string>& parts, size_t n) {
  std::sort(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(n));
  for (size_t k = 0; k < n; ++k) {
    if (k > 0) out += ',';
    out += parts[k];
  }
}

std::string keys_present(const json::Value& body, std::initializer_list<std::string_view> keys) {
  std::string found;
  for (std::string_view key : keys) {
    if (body.HasMember(json::Value(rapidjson::StringRef(key.data(), key.size())))) {
      found += ", ";
      found += key;
    }
  }
  return found;
}

std::string unit_suffix(std::string_view unit) {
  if (unit.empty() || unit == "Count" || unit == "count" || unit == "None") return {};
  if (unit == "Percent" || unit == "percent" || unit == "%") return "%";
  std::string out(1, ' ');
  out += unit;
  return out;
}

}  // namespace cmrelay
