// Rate windows as route files and --rate write them.
#include <charconv>

#include "route/channel.h"
#include "text/ascii.h"
#include "text/duration.h"

namespace cmrelay {
namespace {

// "s", "m", "h" (one of the unit), or any duration ("10s", "500ms", "1.5m": text/duration.h)
// -> milliseconds; 0 when it is neither.
int64_t window_ms(std::string_view t) {
  const bool unit_only =
      !t.empty() && ((t.front() >= 'a' && t.front() <= 'z') || (t.front() >= 'A' && t.front() <= 'Z'));
  std::string why;
  std::optional<std::chrono::milliseconds> d =
      text::parse_duration(unit_only ? "1" + std::string(t) : std::string(t), why);
  return d ? d->count() : 0;
}

}  // namespace

bool parse_rates(std::string_view text, std::vector<Rate>& out, std::string& why) {
  // Bounded so that one window's request log stays small (see deliver/rate.h).
  constexpr uint32_t kMaxCount = 100000;
  out.clear();
  text = text::trim(text);
  if (text == "none") return true;
  while (true) {
    size_t comma = text.find(',');
    std::string_view one = text::trim(text.substr(0, comma));
    size_t slash = one.find('/');
    uint32_t count = 0;
    std::string_view n = one.substr(0, slash);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
    int64_t ms = slash == std::string_view::npos ? 0 : window_ms(one.substr(slash + 1));
    if (ec != std::errc() || p != n.data() + n.size() || count == 0 || count > kMaxCount || ms == 0) {
      why = "a rate must be N/UNIT (N from 1 to " + std::to_string(kMaxCount) +
            "; UNIT s, m, h, or a duration like 10s or 500ms), comma-separated, or none; not '" + std::string(one) +
            "'";
      out.clear();
      return false;
    }
    out.push_back({count, std::chrono::milliseconds(ms)});
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

std::string format_rates(const std::vector<Rate>& rates) {
  if (rates.empty()) return "none";
  std::string s;
  for (const Rate& r : rates) {
    if (!s.empty()) s += ',';
    s += std::to_string(r.count) + "/";
    int64_t ms = r.per.count();
    if (ms % 3600000 == 0) {
      s += ms == 3600000 ? "h" : std::to_string(ms / 3600000) + "h";
    } else if (ms % 60000 == 0) {
      s += ms == 60000 ? "m" : std::to_string(ms / 60000) + "m";
    } else if (ms % 1000 == 0) {
      s += ms == 1000 ? "s" : std::to_string(ms / 1000) + "s";
    } else {
      s += std::to_string(ms) + "ms";
    }
  }
  return s;
}

}  // namespace cmrelay
