// Vendor severity levels -> Flashduty event_status. The defaults are the integrations'
// documented tables; a route file may override entries per vendor.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"

namespace cmrelay {

enum class Vendor { Volcengine, Alibaba, Flashduty };

// The table entry no-data alarms are looked up under, for either vendor.
inline constexpr std::string_view kNoDataLevel = "nodata";

std::string_view vendor_name(Vendor v);  // "volcengine", "alibaba", "flashduty"
std::optional<Vendor> parse_vendor(std::string_view name);
std::optional<Status> parse_status(std::string_view name);  // "Critical"... any case

class SeverityTable {
 public:
  // Volcengine critical/warning/notice; Alibaba CRITICAL/WARNING/WARN/INFO, and nodata (Info):
  // the level no-data alarms are looked up under (kNoDataLevel).
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
