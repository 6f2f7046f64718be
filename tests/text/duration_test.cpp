#include "text/duration.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay;
using std::chrono::milliseconds;

namespace {

// Milliseconds, or -1 when refused (why then names the text).
int64_t ms(std::string_view s) {
  std::string why;
  auto d = text::parse_duration(s, why);
  if (!d) {
    CHECK(why.find(std::string(s.substr(0, 3))) != std::string::npos);
    return -1;
  }
  CHECK(why.empty());
  return d->count();
}

std::string why_of(std::string_view s) {
  std::string why;
  CHECK_FALSE(text::parse_duration(s, why));
  return why;
}

}  // namespace

TEST_CASE("duration: every unit, any case, a bare number is seconds") {
  CHECK(ms("500ms") == 500);
  CHECK(ms("5s") == 5000);
  CHECK(ms("2m") == 120000);
  CHECK(ms("2min") == 120000);
  CHECK(ms("1h") == 3600000);
  CHECK(ms("30d") == 30LL * 86400000);
  CHECK(ms("10") == 10000);
  CHECK(ms("1H") == 3600000);
  CHECK(ms("5MS") == 5);
  CHECK(ms(" 5 s ") == 5000);
  CHECK(ms("0") == 0);
  CHECK(ms("0s") == 0);
}

TEST_CASE("duration: fractions round to the nearest millisecond") {
  CHECK(ms("1.5s") == 1500);
  CHECK(ms("0.25") == 250);
  CHECK(ms(".5m") == 30000);
  CHECK(ms("1.0005s") == 1001);
  CHECK(ms("0.4ms") == 0);
  CHECK(ms("1.123456789123h") == 4044444);
}

TEST_CASE("duration: negative, too long and junk are refused, each with a precise message") {
  CHECK(why_of("-5s").find("cannot be negative") != std::string::npos);
  CHECK(why_of("+5s").find("cannot be negative") != std::string::npos);
  CHECK(why_of("1000000001s").find("at most 1000000000s") != std::string::npos);
  CHECK(why_of("99999999999999999999999999h").find("at most") != std::string::npos);
  CHECK(ms("1000000000s") == 1000000000000LL);
  CHECK(ms("11574d") == 11574LL * 86400000);
  CHECK(why_of("11575d").find("at most") != std::string::npos);
  for (std::string_view junk : {"", "s", "5x", "5 m s", "1e3", "inf", "nan", "5s5", "..5", "1.2.3s", "5sec"}) {
    CAPTURE(junk);
    CHECK(why_of(junk).find("not a duration") != std::string::npos);
  }
  CHECK(why_of("5\x1b[2J").find("\\x1b") != std::string::npos);  // Echoed escaped.
}
