#include "net/deliver/backoff.h"

#include <doctest/doctest.h>

#include <chrono>

using namespace cmrelay::deliver;
using namespace std::chrono;

TEST_CASE("full-jitter backoff stays within base * 2^(retry-1), capped") {
  std::mt19937_64 rng(42);
  const Ms base(500), cap(4000);
  for (int retry = 1; retry <= 10; ++retry) {
    int64_t ceiling = std::min<int64_t>(500LL << (retry - 1), 4000);
    Ms lo(ceiling), hi(0);
    for (int i = 0; i < 2000; ++i) {
      Ms d = backoff_delay(retry, base, cap, rng);
      CHECK(d.count() >= 0);
      CHECK(d.count() <= ceiling);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // Full jitter: the whole range is used, from near zero to near the ceiling.
    CHECK(lo.count() < ceiling / 10);
    CHECK(hi.count() > ceiling * 9 / 10);
  }
}

TEST_CASE("backoff of huge retry counts does not overflow") {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) CHECK(backoff_delay(1000, Ms(500), Ms(30000), rng) <= Ms(30000));
  CHECK(backoff_delay(0, Ms(500), Ms(30000), rng) == Ms(0));
  CHECK(backoff_delay(3, Ms(0), Ms(30000), rng) == Ms(0));
}

TEST_CASE("Retry-After in seconds") {
  auto now = system_clock::now();
  CHECK(parse_retry_after("120", now) == Ms(120000));
  CHECK(parse_retry_after(" 0 ", now) == Ms(0));
  CHECK(parse_retry_after("\t7\r\n", now) == Ms(7000));  // Whitespace around, as text::trim reads it.
  CHECK(parse_retry_after("99999999999999999999999", now) > Ms(int64_t{1} << 40));
  CHECK(!parse_retry_after("", now));
  CHECK(!parse_retry_after("-5", now));
  CHECK(!parse_retry_after("1.5", now));
  CHECK(!parse_retry_after("soon", now));
}

TEST_CASE("Retry-After as an HTTP-date is the wait until that date, never less") {
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
  auto date = system_clock::from_time_t(1445412480);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date - seconds(90)) == Ms(90000));
  // Sub-second "now": rounded up, so the wait never ends before the date.
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date - microseconds(1500)) == Ms(2));
  // The obsolete forms HTTP allows.
  CHECK(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", date - seconds(1)) == Ms(1000));
  CHECK(parse_retry_after("Wed Oct 21 07:28:00 2015", date - seconds(1)) == Ms(1000));
  // A date already past: retry now.
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", date + seconds(10)) == Ms(0));
}

// Found by deliver_fuzz (UBSan): a date thousands of years ahead overflowed system_clock's
// nanoseconds in from_time_t. It is a wait far beyond any cap; one long past is no wait.
TEST_CASE("Retry-After dates far from now neither overflow nor go negative") {
  auto now = system_clock::from_time_t(1763775000);
  CHECK(parse_retry_after("Fri, 31 Dec 3999 23:59:59 GMT", now) >= Ms(int64_t{1} << 40));
  CHECK(parse_retry_after("Sun, 31 Dec 9999 23:59:59 GMT", now) >= Ms(int64_t{1} << 40));
  CHECK(parse_retry_after("Mon, 01 Jan 1601 00:00:00 GMT", now) == Ms(0));
}
