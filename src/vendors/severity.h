// Vendor severity levels -> Flashduty event_status. The defaults are the integrations'
// documented tables; a route file may override entries per vendor.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"

namespace cmrelay {

// Alertmanager is the sender of the Alertmanager webhook format, whoever runs it (Prometheus's
// Alertmanager, Grafana, Alibaba ARMS): one table for the one shape.
enum class Vendor { Volcengine, Alibaba, Tencent, Huawei, Alertmanager, Flashduty };

// The table entry no-data alarms are looked up under, for either vendor.
inline constexpr std::string_view kNoDataLevel = "nodata";

// "volcengine", "alibaba", "tencent", "huawei", "alertmanager", "flashduty"
std::string_view vendor_name(Vendor v);
std::optional<Vendor> parse_vendor(std::string_view name);
// The vendors a user may name (--vendor, a route file's severity:), Flashduty's own formats
// apart: "volcengine, alibaba, tencent, huawei, alertmanager" (joined by sep).
std::string vendor_names(std::string_view sep = ", ");
// parse_vendor for a user's choice: nullopt for Flashduty, which is not a vendor of alerts.
std::optional<Vendor> parse_alert_vendor(std::string_view name);
std::optional<Status> parse_status(std::string_view name);  // "Critical"... any case

class SeverityTable {
 public:
  // The integrations' documented tables (see the man page's SEVERITY): Volcengine
  // critical/warning/notice; Alibaba CRITICAL/WARNING/WARN/INFO, and nodata (Info): the level
  // no-data alarms are looked up under (kNoDataLevel); Tencent by alarm type (metric, event:
  // Warning); Huawei CES levels in English, Chinese and numbers; Alertmanager severity labels
  // and Alibaba ARMS's P1-P4.
  SeverityTable();
  void set(Vendor v, std::string_view level, Status s);
  // The status for a vendor level, compared case-insensitively and without surrounding
  // whitespace (" Critical " is critical); nullopt when unknown. set() trims alike.
  std::optional<Status> find(Vendor v, std::string_view level) const;

 private:
  struct Entry {
    Vendor vendor;
    std::string level;  // Lower case.
    Status status;
  };
  std::vector<Entry> entries_;
};

}  // namespace cmrelay
