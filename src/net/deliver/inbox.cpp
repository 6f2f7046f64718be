#include "net/deliver/inbox.h"

namespace cmrelay::deliver {

void Inbox::push(Outgoing item) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return items_.size() < capacity_ || released_; });
    items_.push_back(std::move(item));
  }
  notify_();
}

void Inbox::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  notify_();
}

bool Inbox::take(std::deque<Outgoing>& out) {
  std::lock_guard<std::mutex> lock(mu_);
  bool more = !closed_ || !items_.empty();
  for (Outgoing& item : items_) out.push_back(std::move(item));
  items_.clear();
  space_.notify_all();
  return more;
}

void Inbox::release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
  }
  space_.notify_all();
}

}  // namespace cmrelay::deliver
