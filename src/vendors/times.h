// The time forms vendors send, and the readable form descriptions show.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cmrelay::times {

struct Instant {
  int64_t unix = 0;        // Seconds since the epoch.
  int offset_minutes = 0;  // The sender's UTC offset, when it gave one.
  bool has_offset = false;
};

// "2025-03-02 09:15:00(UTC+08:00)" (Volcengine HappenedAt; the offset part is optional), also
// with 'T' and a fraction (RFC 3339: "2021-10-12T09:51:03.157+02:00"), and with '/' in the
// date ("2025/06/02 22:56:15 GMT+08:00", Huawei Cloud Eye AlarmTime).
std::optional<Instant> parse_local_with_offset(std::string_view s);
// "20250314T133000.120+0800" (Alibaba eventTime); fraction and offset optional, "Z" allowed,
// a space for '+' accepted (a '+' that form decoding turned into a space).
std::optional<Instant> parse_compact_iso(std::string_view s);
// Unix seconds or milliseconds (anything above 10^11 is taken as milliseconds).
int64_t seconds_from_epoch(int64_t seconds_or_ms);

// "2025-03-02 09:15:00 UTC+08:00" in the instant's own offset, else "... UTC".
std::string format(const Instant& t);
void append_format(std::string& out, const Instant& t);  // The same, appended to out.
inline Instant in_zone(int64_t unix, const Instant* zone) {
  return Instant{unix, zone ? zone->offset_minutes : 0, zone ? zone->has_offset : false};
}
inline std::string format_unix(int64_t unix, const Instant* zone = nullptr) { return format(in_zone(unix, zone)); }

}  // namespace cmrelay::times
