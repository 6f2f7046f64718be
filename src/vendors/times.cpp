#include "vendors/times.h"

#include <cstdio>
#include <ctime>

namespace cmrelay::times {
namespace {

bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days from 1970-01-01 to the civil date (proleptic Gregorian), without the C library's
// time zone state.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> civil_seconds(int y, int mo, int d, int h, int mi, int s) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + int64_t{h} * 3600 +
         int64_t{mi} * 60 + s;
}

// "+08:00", "+0800", "-05", "Z"; a leading space stands for '+'.
bool parse_offset(std::string_view s, int& minutes) {
  if (s == "Z") {
    minutes = 0;
    return true;
  }
  if (s.empty() || (s[0] != '+' && s[0] != '-' && s[0] != ' ')) return false;
  int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  int h = 0, m = 0;
  if (!digits(s, 0, 2, h)) return false;
  s.remove_prefix(2);
  if (!s.empty() && s[0] == ':') s.remove_prefix(1);
  if (!s.empty()) {
    if (s.size() != 2 || !digits(s, 0, 2, m)) return false;
  }
  if (h > 14 || m > 59) return false;
  minutes = sign * (h * 60 + m);
  return true;
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

// The inverse of days_from_civil.
Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

void put2(char* at, int v) {
  at[0] = static_cast<char>('0' + v / 10);
  at[1] = static_cast<char>('0' + v % 10);
}

// What follows the seconds: an optional ".123" fraction, skipped.
std::string_view skip_fraction(std::string_view rest) {
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  }
  return rest;
}

// Applies a UTC offset ("+08:00", "+0800", "Z"...) to a local time read as UTC.
bool apply_offset(Instant& t, std::string_view offset) {
  int off = 0;
  if (!parse_offset(offset, off)) return false;
  t.offset_minutes = off;
  t.has_offset = true;
  t.unix -= int64_t{off} * 60;
  return true;
}

}  // namespace

std::optional<Instant> parse_local_with_offset(std::string_view s) {
  int y, mo, d, h, mi, sec;
  // '-' or, as Huawei Cloud Eye writes it, '/' between the date's parts.
  if (!digits(s, 0, 4, y) || s.size() < 19 || (s[4] != '-' && s[4] != '/') || !digits(s, 5, 2, mo) || s[7] != s[4] ||
      !digits(s, 8, 2, d) || (s[10] != ' ' && s[10] != 'T') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  auto base = civil_seconds(y, mo, d, h, mi, sec);
  if (!base) return std::nullopt;
  Instant t{*base, 0, false};
  std::string_view rest = skip_fraction(s.substr(19));
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty()) return t;
  if (rest.front() == '(' && rest.back() == ')') rest = rest.substr(1, rest.size() - 2);
  if (rest.substr(0, 3) == "UTC" || rest.substr(0, 3) == "GMT") rest.remove_prefix(3);
  if (rest.empty()) {
    t.has_offset = true;
    return t;
  }
  return apply_offset(t, rest) ? std::optional<Instant>(t) : std::nullopt;
}

std::optional<Instant> parse_compact_iso(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 15 || !digits(s, 0, 4, y) || !digits(s, 4, 2, mo) || !digits(s, 6, 2, d) || s[8] != 'T' ||
      !digits(s, 9, 2, h) || !digits(s, 11, 2, mi) || !digits(s, 13, 2, sec)) {
    return std::nullopt;
  }
  auto base = civil_seconds(y, mo, d, h, mi, sec);
  if (!base) return std::nullopt;
  Instant t{*base, 0, false};
  std::string_view rest = skip_fraction(s.substr(15));
  if (rest.empty()) return t;
  return apply_offset(t, rest) ? std::optional<Instant>(t) : std::nullopt;
}

int64_t seconds_from_epoch(int64_t v) { return v > 100000000000LL ? v / 1000 : v; }

void append_format(std::string& out, const Instant& t) {
  const int64_t local = t.unix + (t.has_offset ? t.offset_minutes * 60 : 0);
  const int64_t days = (local >= 0 ? local : local - 86399) / 86400;
  const int64_t secs = local - days * 86400;
  const Civil c = civil_from_days(days);
  if (c.year >= 1000 && c.year <= 9999) {
    // The common case, spelled out by hand: strftime costs more than the rest of an event.
    char buf[19];
    put2(buf, static_cast<int>(c.year / 100));
    put2(buf + 2, static_cast<int>(c.year % 100));
    buf[4] = '-';
    put2(buf + 5, static_cast<int>(c.month));
    buf[7] = '-';
    put2(buf + 8, static_cast<int>(c.day));
    buf[10] = ' ';
    put2(buf + 11, static_cast<int>(secs / 3600));
    buf[13] = ':';
    put2(buf + 14, static_cast<int>(secs / 60 % 60));
    buf[16] = ':';
    put2(buf + 17, static_cast<int>(secs % 60));
    out.append(buf, sizeof buf);
  } else {
    time_t tt = static_cast<time_t>(local);
    struct tm tm {};
    gmtime_r(&tt, &tm);
    char buf[64];
    out.append(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm));
  }
  if (!t.has_offset || t.offset_minutes == 0) {
    out += " UTC";
  } else {
    const int m = t.offset_minutes < 0 ? -t.offset_minutes : t.offset_minutes;
    char off[10] = {' ', 'U', 'T', 'C', t.offset_minutes < 0 ? '-' : '+', 0, 0, ':', 0, 0};
    put2(off + 5, m / 60 % 100);
    put2(off + 8, m % 60);
    out.append(off, sizeof off);
  }
}

std::string format(const Instant& t) {
  std::string out;
  append_format(out, t);
  return out;
}

}  // namespace cmrelay::times
