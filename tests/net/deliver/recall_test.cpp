// The open-alert state as dispatch's Memory, over a real SQLite file: a firing event's
// channels remembered, its recovery routed to them and closed where delivered; read only
// (--dry-run, routes test --state) changes nothing; a state that fails is said once.
#include "net/deliver/recall.h"

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

namespace {

// A fresh state file's path, beside the route files (an empty file is a new database).
std::string state_file(const std::string& name) { return write_route_file(name, ""); }

}  // namespace

TEST_CASE("recall: a recovery reaches its alert's channels from the state, and closes it where delivered") {
  const std::string path = state_file("recall.db");
  RouteTable t = RouteTable::load(write_route_file("recall.yaml", kValueRoutes));
  std::vector<const Channel*> out;
  {
    auto store = state::open_file(path, std::chrono::seconds(0));
    Recall recall(store.get(), true);
    Dispatch d(t, &recall);
    Event firing = value_event(Status::Critical, "99");
    CHECK(d.route(firing, out) == 0);
    CHECK(names(out) == V{"a", "hot"});
  }
  // Another run (a later one: the memory is the file's).
  auto store = state::open_file(path, std::chrono::seconds(0));
  Recall recall(store.get(), true);
  Dispatch d(t, &recall);
  Event recovery = value_event(Status::Ok, "10");
  const uint64_t token = d.route(recovery, out);
  CHECK(token != 0);
  CHECK(recovery.alert_severity == Status::Critical);
  CHECK(names(out) == V{"a", "hot"});
  recall.done(token, *out[0], true);
  recall.done(token, *out[1], false);  // Dead-lettered at hot: open there, for the replay.
  state::OpenAlert open;
  REQUIRE(store->find("k1", open));
  CHECK(open.channels == V{"hot"});
  CHECK_FALSE(recall.failed());
}

TEST_CASE("recall: read only, nothing is remembered and no token is given") {
  const std::string path = state_file("recall-ro.db");
  RouteTable t = RouteTable::load(write_route_file("recall-ro.yaml", kValueRoutes));
  {
    auto store = state::open_file(path, std::chrono::seconds(0));
    store->remember("k1", "Critical", "cpu", {"a", "hot"}, 1);
  }
  auto store = state::open_file(path, std::chrono::seconds(0), true);
  Recall recall(store.get(), false);
  Dispatch d(t, &recall);
  std::vector<const Channel*> out;
  Event recovery = value_event(Status::Ok, "10");
  CHECK(d.route(recovery, out) == 0);
  CHECK(names(out) == V{"a", "hot"});  // What send --dry-run and routes test --state show.
  Event firing = value_event(Status::Critical, "1");
  firing.alert_key = "k2";
  d.route(firing, out);
  state::OpenAlert open;
  CHECK_FALSE(store->find("k2", open));
}

TEST_CASE("recall: without a store, or once failed, nothing is known; the failure is said once") {
  RouteTable t = RouteTable::load(write_route_file("recall-none.yaml", kValueRoutes));
  Recall recall(nullptr, true);
  Dispatch d(t, &recall);
  std::vector<const Channel*> out;
  Event recovery = value_event(Status::Ok, "10");
  CHECK(d.route(recovery, out) == 0);
  CHECK(names(out) == V{"ops"});
  std::string err;
  {
    test::CaptureStderr capture(err);
    recall.fail("/x/state.db: cannot open");
    recall.fail("/x/state.db: again");
  }
  CHECK(err ==
        "cmrelay: state /x/state.db: cannot open; the route file alone routes recoveries for the rest of this "
        "run\n");
  CHECK(recall.failed());
}
