// The one "event -> channels" decision: the route file, the one --url channel, a replayed
// record back to its channel, and a memory of the open alerts (RunMemory here; the SQLite
// state's is tests/net/deliver/recall_test.cpp).
#include "route/dispatch.h"

#include <doctest/doctest.h>

#include "route/fixture.h"
#include "support.h"

using namespace cmrelay;
using cmrelay::test::kValueRoutes;
using cmrelay::test::make_event;
using cmrelay::test::names;
using cmrelay::test::value_event;
using cmrelay::test::write_route_file;
using V = std::vector<std::string>;

TEST_CASE("dispatch: without a memory, the route file alone decides") {
  RouteTable t = RouteTable::load(write_route_file("d1.yaml", kValueRoutes));
  Dispatch d(t);
  std::vector<const Channel*> out{nullptr};  // Replaced, not appended to.
  Event firing = value_event(Status::Critical, "99");
  CHECK(d.route(firing, out) == 0);
  CHECK(names(out) == V{"a", "hot"});
  Event recovery = value_event(Status::Ok, "10");
  d.route(recovery, out);
  CHECK(names(out) == V{"ops"});  // Its severity unknown: no severity condition holds.
  CHECK(recovery.alert_severity == Status::Ok);
}

TEST_CASE("dispatch: the --url channel takes every event, a replayed one too") {
  Channel url;
  url.name = "url";
  Dispatch d(url);
  std::vector<const Channel*> out;
  Event e = value_event(Status::Info, "1");
  e.replay_channel = "dba";
  d.route(e, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0] == &url);
  CHECK(d.routes() == nullptr);
}

TEST_CASE("dispatch: a replayed record goes back to its declared channel, else is routed afresh") {
  RouteTable t = RouteTable::load(write_route_file("d2.yaml", kValueRoutes));
  Dispatch d(t);
  std::vector<const Channel*> out;
  DispatchExplanation why;
  Event back = value_event(Status::Critical, "99");
  back.replay_channel = "hot";
  d.explain(back, out, why);
  CHECK(names(out) == V{"hot"});  // Only there: a already had it.
  CHECK(why.replayed == "hot");
  CHECK_FALSE(why.evaluated);
  CHECK(why.cases.cases.empty());

  Event gone = value_event(Status::Critical, "99");
  gone.replay_channel = "pager";  // No longer declared.
  d.explain(gone, out, why);
  CHECK(names(out) == V{"a", "hot"});
  CHECK(why.replayed.empty());
  CHECK(why.undeclared == "pager");
  CHECK(why.evaluated);
  CHECK(why.cases.cases.size() == 2);
  // route() decides the same without the explanation.
  d.route(gone, out);
  CHECK(names(out) == V{"a", "hot"});
}

TEST_CASE("dispatch: a recovery also goes where its alert went, with the severity it fired with") {
  RouteTable t = RouteTable::load(write_route_file("d3.yaml", kValueRoutes));
  RunMemory memory;
  Dispatch d(t, &memory);
  std::vector<const Channel*> out;
  Event firing = value_event(Status::Critical, "99");
  d.route(firing, out);
  CHECK(names(out) == V{"a", "hot"});
  // The recovery reads 10 and says nothing of its severity (a standard event read back).
  Event recovery = value_event(Status::Ok, "10");
  DispatchExplanation why;
  d.explain(recovery, out, why);
  CHECK(recovery.alert_severity == Status::Critical);
  CHECK(why.cases.severity == "Critical");
  CHECK(names(why.cases.channels) == V{"a"});  // The route file alone.
  CHECK(names(out) == V{"a", "hot"});          // And where its alert went.
  CHECK(why.recalled);
  CHECK(why.remembered == V{"a", "hot"});
  CHECK(why.added == V{"hot"});
  // Decided: this run's memory closed it.
  Event again = value_event(Status::Ok, "10");
  d.route(again, out);
  CHECK(names(out) == V{"ops"});
}

TEST_CASE("dispatch: a body's own alert severity wins over the remembered one") {
  RouteTable t = RouteTable::load(write_route_file("d4.yaml", kValueRoutes));
  RunMemory memory;
  Dispatch d(t, &memory);
  std::vector<const Channel*> out;
  Event firing = value_event(Status::Warning, "1");
  d.route(firing, out);
  CHECK(names(out) == V{"ops"});
  Event recovery = value_event(Status::Ok, "1");
  recovery.alert_severity = Status::Critical;
  d.route(recovery, out);
  CHECK(recovery.alert_severity == Status::Critical);
  CHECK(names(out) == V{"a", "ops"});
}

TEST_CASE("dispatch: a remembered channel the route file no longer declares is said once and left out") {
  RunMemory memory;
  std::vector<const Channel*> out;
  RouteTable before = RouteTable::load(write_route_file("d5.yaml", kValueRoutes));
  Dispatch first(before, &memory);
  Event firing = value_event(Status::Critical, "99");
  first.route(firing, out);
  CHECK(names(out) == V{"a", "hot"});
  // Another firing of another alert there too, so that two recoveries meet the gap.
  Event other = value_event(Status::Critical, "99");
  other.alert_key = "k2";
  first.route(other, out);

  RouteTable after = RouteTable::load(write_route_file("d5b.yaml", R"(
channels:
  a:   {url: "https://h/a"}
  ops: {url: "https://h/ops"}
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [a]}
default: {channels: [ops]}
)"));
  Dispatch second(after, &memory);
  std::string err;
  {
    test::CaptureStderr capture(err);
    Event recovery = value_event(Status::Ok, "10");
    second.route(recovery, out);
    CHECK(names(out) == V{"a"});
    Event recovery2 = value_event(Status::Ok, "10");
    recovery2.alert_key = "k2";
    second.route(recovery2, out);
  }
  CHECK(err.find("state: alert k1 was sent to channel 'hot', which " + after.path() + " no longer declares") !=
        std::string::npos);
  CHECK(err.find("alert k2") == std::string::npos);  // Once per channel.
}

TEST_CASE("run memory: channels add up over an alert's firing events; nothing without a key or a channel") {
  RunMemory memory;
  RouteTable t = RouteTable::load(write_route_file("d6.yaml", kValueRoutes));
  Dispatch d(t, &memory);
  std::vector<const Channel*> out;
  Event low = value_event(Status::Warning, "1");
  d.route(low, out);  // ops
  Event high = value_event(Status::Critical, "99");
  d.route(high, out);  // a, hot
  Memory::Alert a;
  REQUIRE(memory.recall(value_event(Status::Ok, "1"), a));
  CHECK(a.channels == V{"ops", "a", "hot"});
  CHECK(a.severity == Status::Critical);
  Event keyless = make_event(Status::Critical, "x", {});
  d.route(keyless, out);
  CHECK_FALSE(memory.recall(make_event(Status::Ok, "x", {}), a));
}
