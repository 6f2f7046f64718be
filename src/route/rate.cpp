// Rate windows as route files and --rate write them.
#include <charconv>

#include "route/channel.h"

namespace cmrelay {
namespace {

// "s", "10s", "500ms", "m", "2m", "h" -> milliseconds; 0 when it is none of these.
int64_t window_ms(std::string_view t) {
  int64_t n = 1;
  if (!t.empty() && t.front() >= '0' && t.front() <= '9') {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || n <= 0 || n > 1000000) return 0;
    t.remove_prefix(static_cast<size_t>(p - t.data()));
  }
  int64_t unit = t == "ms" ? 1 : t == "s" ? 1000 : t == "m" || t == "min" ? 60000 : t == "h" ? 3600000 : 0;
  return n * unit;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool parse_rates(std::string_view text, std::vector<Rate>& out, std::string& why) {
  // Bounded so that one window's request log stays small (see deliver/rate.h).
  constexpr uint32_t kMaxCount = 100000;
  out.clear();
  text = trimmed(text);
  if (text == "none") return true;
  while (true) {
    size_t comma = text.find(',');
    std::string_view one = trimmed(text.substr(0, comma));
    size_t slash = one.find('/');
    uint32_t count = 0;
    std::string_view n = one.substr(0, slash);
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
    int64_t ms = slash == std::string_view::npos ? 0 : window_ms(one.substr(slash + 1));
    if (ec != std::errc() || p != n.data() + n.size() || count == 0 || count > kMaxCount || ms == 0) {
      why = "a rate must be N/UNIT (N from 1 to " + std::to_string(kMaxCount) +
            "; UNIT s, m, h, or a duration like 10s or 500ms), comma-separated, or none; not '" + std::string(one) + "'";
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
