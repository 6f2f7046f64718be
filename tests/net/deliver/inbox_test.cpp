#include "net/deliver/inbox.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace cmrelay::deliver;
using namespace std::chrono;

namespace {
Outgoing item(const std::string& key) { return {std::make_shared<const std::string>("{}"), key, {}}; }
}  // namespace

TEST_CASE("a full inbox holds the pusher back until the items are taken") {
  std::atomic<int> notified{0};
  Inbox inbox(2, [&] { ++notified; });
  std::atomic<int> pushed{0};
  std::thread pusher([&] {
    for (int i = 0; i < 5; ++i) {
      inbox.push(item("k" + std::to_string(i)));
      ++pushed;
    }
    inbox.close();
  });
  std::this_thread::sleep_for(milliseconds(100));
  CHECK(pushed.load() == 2);  // Capacity 2: the third push waits.
  std::deque<Outgoing> taken;
  while (inbox.take(taken)) std::this_thread::sleep_for(milliseconds(5));
  pusher.join();
  REQUIRE(taken.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(taken[i].alert_key == "k" + std::to_string(i));  // In order.
  CHECK(notified.load() == 6);                                                       // Every push, and the close.
}

TEST_CASE("after release() pushes never wait, and nothing is dropped") {
  Inbox inbox(1, [] {});
  inbox.push(item("a"));
  inbox.release();
  std::thread pusher([&] {
    for (int i = 0; i < 10; ++i) inbox.push(item("b"));
    inbox.close();
  });
  pusher.join();  // Would hang if a push waited.
  std::deque<Outgoing> taken;
  CHECK(inbox.take(taken));
  CHECK(taken.size() == 11);
  CHECK(!inbox.take(taken));
}
