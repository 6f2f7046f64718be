// The normalized event: a Flashduty standard alert event plus nothing else.
// Vendor decoders fill it; routing reads it; output and delivery write it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/hash.h"

namespace cmrelay {

enum class Status { Critical, Warning, Info, Ok };

std::string_view status_name(Status s);  // "Critical", "Warning", "Info", "Ok"

struct Label {
  std::string key;
  std::string value;
};

// Ordered labels. Slots are reused across events so the hot path does not allocate once
// the first few events have sized the strings. A key is changed only through Labels (add,
// set, cut_key): a filter of the keys held is kept beside them.
class Labels {
 public:
  // Flashduty keeps 50; a few more are held so that the limit check can say what it drops,
  // and no more, so that adding stays cheap however many fields a body has.
  static constexpr size_t kMaxHeld = 64;

  // Sets key to value unless the key is already present (first writer wins: decoders add
  // the contract labels before vendor extras). Empty values are not stored, nor anything
  // past kMaxHeld labels.
  void add(std::string_view key, std::string_view value);
  // Sets key to value, replacing an earlier value.
  void set(std::string_view key, std::string_view value);
  const std::string* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  void erase_from(size_t n) { size_ = n < size_ ? n : size_; }
  void erase(size_t i);  // Keeps the order of the rest.
  void clear() {
    size_ = 0;
    refused_ = 0;
    seen_.clear();
  }
  // Cuts label i's key to at most max_chars code points. True when it was cut.
  bool cut_key(size_t i, size_t max_chars);
  size_t refused() const { return refused_; }      // Adds refused because kMaxHeld were held.
  bool full() const { return size_ == kMaxHeld; }  // Further adds are refused.

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Label* begin() const { return slots_.data(); }
  const Label* end() const { return slots_.data() + size_; }
  const Label& operator[](size_t i) const { return slots_[i]; }
  std::string& value(size_t i) { return slots_[i].value; }

 private:
  Label& append(std::string_view key);          // The key's bit is set already.
  size_t index_of(std::string_view key) const;  // size() when absent.
  size_t scan(std::string_view key) const;      // index_of without the filter.
  // Every key is looked for before it is added (first writer wins), in about half the labels
  // held: the bits of the keys held say at once that nearly every new key is absent. Bits stay
  // set when labels are erased: the filter may only say "maybe" more often.
  text::NameBits seen_;
  std::vector<Label> slots_;
  size_t size_ = 0;
  size_t refused_ = 0;
};

// An image of the standard event (Flashduty's images[]): src, with optional href and alt.
struct Image {
  std::string src, href, alt;
};

struct Event {
  Status status = Status::Info;
  // A recovery (status Ok): the severity of the alert it closes, as the body says
  // (Volcengine Level, Alibaba preTriggerLevel / alert.severity); Ok when the body has none.
  // Routing reads it for severity conditions; no output writes it. Unused on firing events.
  Status alert_severity = Status::Ok;
  std::string title;
  std::string alert_key;
  std::string description;
  Labels labels;
  int64_t event_time = 0;     // Unix seconds; 0 when the body carries no time.
  std::vector<Image> images;  // Only standard events read back carry them.
  // A dead-letter record's event (replayed with --replay): the channel the record names, which
  // dispatch sends it back to. Empty for every other event. Routing reads it; no output writes it.
  std::string replay_channel;

  void clear();
};

// A reusable list of events: what one body decodes to. clear() keeps every event's storage.
class EventBatch {
 public:
  Event& next();  // A cleared event appended to the batch.
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Event& operator[](size_t i) { return events_[i]; }
  const Event& operator[](size_t i) const { return events_[i]; }
  Event* begin() { return events_.data(); }
  Event* end() { return events_.data() + size_; }

 private:
  std::vector<Event> events_;
  size_t size_ = 0;
};

}  // namespace cmrelay
