#include "event/event.h"

#include <algorithm>

#include "text/utf8.h"

namespace cmrelay {

std::string_view status_name(Status s) {
  switch (s) {
    case Status::Critical:
      return "Critical";
    case Status::Warning:
      return "Warning";
    case Status::Info:
      return "Info";
    case Status::Ok:
      return "Ok";
  }
  return "Info";
}

Label& Labels::append(std::string_view key) {
  if (size_ == slots_.size()) slots_.emplace_back();
  Label& l = slots_[size_++];
  l.key.assign(key);
  return l;
}

size_t Labels::index_of(std::string_view key) const { return seen_.has(key) ? scan(key) : size_; }

size_t Labels::scan(std::string_view key) const {
  // The length and first byte rule out almost every other slot before a memcmp.
  for (size_t i = 0; i < size_; ++i) {
    const std::string& k = slots_[i].key;
    if (k.size() == key.size() && (key.empty() || (k[0] == key[0] && k.compare(key) == 0))) return i;
  }
  return size_;
}

const std::string* Labels::find(std::string_view key) const {
  const size_t i = index_of(key);
  return i < size_ ? &slots_[i].value : nullptr;
}

void Labels::add(std::string_view key, std::string_view value) {
  if (value.empty() || key.empty()) return;
  if (size_ == kMaxHeld) {
    ++refused_;
    return;
  }
  const unsigned bit = text::name_bit(key);
  if (seen_.has_bit(bit) && scan(key) < size_) return;
  seen_.set_bit(bit);
  append(key).value.assign(value);
}

void Labels::set(std::string_view key, std::string_view value) {
  if (const size_t i = index_of(key); i < size_) {
    slots_[i].value.assign(value);
    return;
  }
  if (size_ == kMaxHeld) {
    ++refused_;
    return;
  }
  seen_.add(key);
  append(key).value.assign(value);
}

bool Labels::cut_key(size_t i, size_t max_chars) {
  if (i >= size_ || !utf8::truncate(slots_[i].key, max_chars)) return false;
  seen_.add(slots_[i].key);
  return true;
}

void Labels::erase(size_t i) {
  if (i >= size_) return;
  // Rotate the erased slot to the end so its string storage is reused later.
  std::rotate(slots_.begin() + static_cast<std::ptrdiff_t>(i), slots_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
              slots_.begin() + static_cast<std::ptrdiff_t>(size_));
  --size_;
}

void Event::clear() {
  status = Status::Info;
  alert_severity = Status::Ok;
  title.clear();
  alert_key.clear();
  description.clear();
  labels.clear();
  event_time = 0;
  images.clear();
  replay_channel.clear();
}

Event& EventBatch::next() {
  if (size_ == events_.size()) events_.emplace_back();
  Event& e = events_[size_++];
  e.clear();
  return e;
}

}  // namespace cmrelay
