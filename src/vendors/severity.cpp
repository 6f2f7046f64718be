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
    case Vendor::Tencent:
      return "tencent";
    case Vendor::Huawei:
      return "huawei";
    case Vendor::Alertmanager:
      return "alertmanager";
    case Vendor::Flashduty:
      return "flashduty";
  }
  return "";
}

namespace {
constexpr Vendor kAlertVendors[] = {Vendor::Volcengine, Vendor::Alibaba, Vendor::Tencent, Vendor::Huawei,
                                    Vendor::Alertmanager};
}  // namespace

std::optional<Vendor> parse_vendor(std::string_view name) {
  if (iequals(name, vendor_name(Vendor::Flashduty))) return Vendor::Flashduty;
  return parse_alert_vendor(name);
}

std::optional<Vendor> parse_alert_vendor(std::string_view name) {
  for (Vendor v : kAlertVendors) {
    if (iequals(name, vendor_name(v))) return v;
  }
  return std::nullopt;
}

std::string vendor_names(std::string_view sep) {
  std::string out;
  for (Vendor v : kAlertVendors) {
    if (!out.empty()) out += sep;
    out += vendor_name(v);
  }
  return out;
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
  // Tencent Cloud Monitor callbacks carry no level: Flashduty's Tencent Cloud Monitor
  // integration sends every alarm as Warning. The table is keyed by alarmType, so that a route
  // file can tell event alarms from metric alarms (tencent: {event: Critical}).
  set(Vendor::Tencent, "metric", Status::Warning);
  set(Vendor::Tencent, "event", Status::Warning);
  // Huawei Cloud Eye AlarmLevel, as Flashduty's Huawei CES integration maps it (Urgent and
  // Important are Critical), in the console's English and Chinese words and the API's numbers.
  for (std::string_view l : {"critical", "urgent", "major", "important", "紧急", "重要", "1", "2"}) {
    set(Vendor::Huawei, l, Status::Critical);
  }
  for (std::string_view l : {"minor", "次要", "3"}) set(Vendor::Huawei, l, Status::Warning);
  for (std::string_view l : {"informational", "info", "hint", "提示", "4"}) set(Vendor::Huawei, l, Status::Info);
  // Alertmanager's severity label; Alibaba ARMS's levels P1-P4 as Flashduty's ARMS integration
  // maps them.
  set(Vendor::Alertmanager, "critical", Status::Critical);
  set(Vendor::Alertmanager, "error", Status::Critical);
  set(Vendor::Alertmanager, "warning", Status::Warning);
  set(Vendor::Alertmanager, "info", Status::Info);
  set(Vendor::Alertmanager, "none", Status::Info);
  set(Vendor::Alertmanager, "p1", Status::Critical);
  set(Vendor::Alertmanager, "p2", Status::Warning);
  set(Vendor::Alertmanager, "p3", Status::Warning);
  set(Vendor::Alertmanager, "p4", Status::Info);
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
