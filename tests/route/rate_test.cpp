// Rate windows as route files and --rate write them (parse_rates, format_rates).
#include <doctest/doctest.h>

#include "route/channel.h"

using namespace cmrelay;
using namespace std::chrono;

TEST_CASE("rates parse in route-file and --rate form") {
  std::vector<Rate> r;
  std::string why;
  REQUIRE(parse_rates("100/s,1000/m", r, why));
  CHECK(r == std::vector<Rate>{{100, seconds(1)}, {1000, minutes(1)}});
  REQUIRE(parse_rates(" 5/10s , 20/500ms,3/h ", r, why));
  CHECK(r == std::vector<Rate>{{5, seconds(10)}, {20, milliseconds(500)}, {3, hours(1)}});
  CHECK(format_rates(r) == "5/10s,20/500ms,3/h");
  REQUIRE(parse_rates("5/1.5m,1/2min,2/1H", r, why));  // Any duration text/duration.h reads.
  CHECK(r == std::vector<Rate>{{5, seconds(90)}, {1, minutes(2)}, {2, hours(1)}});
  REQUIRE(parse_rates("none", r, why));
  CHECK(r.empty());
  CHECK(format_rates(r) == "none");
  for (const char* bad : {"", "100", "0/s", "100/", "100/x", "-1/s", "1/0s", "1/-1s", "1/0.0001s", "100/s,", "a/s",
                          "100000000/s", "1/s/s"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rates(bad, r, why));
    CHECK(why.find("N/UNIT") != std::string::npos);
  }
}
