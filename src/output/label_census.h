// cmrelay labels: which label keys the events carry, how often, with example values; what
// a user needs to write a route file's conditions. Memory is bounded whatever the input:
// at most kMaxKeys keys, kExamples examples and kMaxDistinct distinct values counted per key.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "event/event.h"

namespace cmrelay {

class LabelCensus {
 public:
  static constexpr size_t kMaxKeys = 10000;
  static constexpr size_t kExamples = 3;
  static constexpr size_t kMaxDistinct = 1000;

  void add(const Event& e);

  // One JSON object per key, most frequent first:
  // {"key":"region","events":12,"distinct":2,"examples":["cn-beijing","cn-shanghai"]}
  // ("distinct" stops counting at kMaxDistinct: "distinct_at_least" then).
  void write_ndjson(std::FILE* out) const;
  // The same as an aligned table: KEY, EVENTS, DISTINCT, EXAMPLES.
  void write_table(std::FILE* out) const;

  uint64_t events() const { return events_; }
  uint64_t keys_not_counted() const { return keys_dropped_; }

 private:
  struct Key {
    uint64_t events = 0;
    std::set<std::string> distinct;  // Up to kMaxDistinct.
    std::vector<std::string> examples;
  };
  std::vector<std::pair<const std::string*, const Key*>> ranked() const;

  std::map<std::string, Key, std::less<>> keys_;
  uint64_t events_ = 0;
  uint64_t keys_dropped_ = 0;  // Label occurrences whose key came after kMaxKeys keys.
};

}  // namespace cmrelay
