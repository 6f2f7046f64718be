#include "vendors/severity.h"

#include "text/ascii.h"

namespace cmrelay {

using text::iequals;
using text::trim;  // " critical\t" is critical: vendors and hand-written route files pad values by accident.

std::string_view vendor_name(Vendor v) {
  switch (v) {
    case Vendor::Volcengine:
      return "volcengine";
    case Vendor::Alibaba:
      return "alibaba";
    case Vendor::Flashduty:
      return "flashduty";
  }
  return "";
}

std::optional<Vendor> parse_vendor(std::string_view name) {
  for (Vendor v : {Vendor::Volcengine, Vendor::Alibaba, Vendor::Flashduty}) {
    if (iequals(name, vendor_name(v))) return v;
  }
  return std::nullopt;
}

std::optional<Status> parse_status(std::string_view name) {
  for (Status s : {Status::Critical, Status::Warning, Status::Info, Status::Ok}) {
    if (iequals(name, status_name(s))) return s;
  }
  return std::nullopt;
}

SeverityTable::SeverityTable() {
  set(Vendor::Volcengine, "critical", Status::Critical);
  set(Vendor::Volcengine, "warning", Status::Warning);
  set(Vendor::Volcengine, "notice", Status::Info);
  set(Vendor::Alibaba, "critical", Status::Critical);
  set(Vendor::Alibaba, "warning", Status::Warning);
  set(Vendor::Alibaba, "warn", Status::Warning);
  set(Vendor::Alibaba, "info", Status::Info);
  // No-data alarms (threshold INSUFFICIENT_DATA, level NODATA): Info, as Flashduty's own Alibaba
  // CM Metrics integration sends them. Volcengine has no entry: MetricsNoData fires at its Level
  // unless a route file sets volcengine: {nodata: ...}.
  set(Vendor::Alibaba, "nodata", Status::Info);
}

void SeverityTable::set(Vendor v, std::string_view level, Status s) {
  std::string lower = text::to_lower(trim(level));
  for (Entry& e : entries_) {
    if (e.vendor == v && e.level == lower) {
      e.status = s;
      return;
    }
  }
  entries_.push_back({v, std::move(lower), s});
}

std::optional<Status> SeverityTable::find(Vendor v, std::string_view level) const {
  level = trim(level);
  for (const Entry& e : entries_) {
    if (e.vendor == v && iequals(e.level, level)) return e.status;
  }
  return std::nullopt;
}

}  // namespace cmrelay
