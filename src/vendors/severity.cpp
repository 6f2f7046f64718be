#include "vendors/severity.h"

#include <algorithm>

namespace cmrelay {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// " critical\t" is critical: vendors and hand-written route files pad values by accident.
std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

std::string_view trim_level(std::string_view level) { return trim(level); }

std::string_view vendor_name(Vendor v) {
  switch (v) {
    case Vendor::Volcengine: return "volcengine";
    case Vendor::Alibaba: return "alibaba";
    case Vendor::Flashduty: return "flashduty";
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
  std::string lower(trim(level));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
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
