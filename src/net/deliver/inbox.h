// The hand-over between the reading thread (which converts bodies) and the delivery loop:
// a bounded queue of event bodies, so that requests progress while input is slow to come
// and memory stays bounded while it is fast.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "route/channel.h"

namespace cmrelay::deliver {

struct Outgoing {
  std::shared_ptr<const std::string> body;  // The Flashduty standard event.
  std::string alert_key;
  std::vector<const Channel*> channels;  // Where it goes.
  uint64_t token = 0;                    // The state's, for the sender's on_done.
};

class Inbox {
 public:
  // notify is called (from the pushing thread) after every push and on close: the
  // delivery loop's wake-up.
  Inbox(size_t capacity, std::function<void()> notify) : capacity_(capacity), notify_(std::move(notify)) {}

  // Waits while the inbox is full (until release()).
  void push(Outgoing item);
  // No more pushes.
  void close();
  // Moves everything queued into out. False once closed and empty.
  bool take(std::deque<Outgoing>& out);
  // Pushes never wait again (a signal arrived: what is read is still taken, never dropped).
  void release();

 private:
  std::mutex mu_;
  std::condition_variable space_;
  std::deque<Outgoing> items_;
  size_t capacity_;
  bool closed_ = false;
  bool released_ = false;
  std::function<void()> notify_;
};

}  // namespace cmrelay::deliver
