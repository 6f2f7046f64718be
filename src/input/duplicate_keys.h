// Duplicate keys in a JSON object (or fields in a form body) are resolved one way
// everywhere, and said: the first one wins, as a lookup always saw it. Without this, a walk
// over the members (labels) would see both.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "json/parser.h"

namespace cmrelay {

class DuplicateKeys {
 public:
  // Drops every member of every object under v that repeats an earlier member's name,
  // keeping the order of the rest. Returns the first repeated name ("" when none).
  // O(n log n) in the members, whatever the input; the scratch space is reused.
  std::string resolve(json::Value& v, json::Allocator& alloc);

 private:
  void object(json::Value& v, json::Allocator& alloc, std::string& first);
  void dedupe(json::Value& v, json::Allocator& alloc, std::string& first);
  // Objects of up to kFewMembers members are first checked by their names' text::name_bit
  // (distinct bits: distinct names), then, when two share a bit, pairwise: for so few both
  // are cheaper than sorting and stay O(1) per object. A repeat found is resolved by sorting.
  static constexpr size_t kFewMembers = 16;
  bool all_distinct() const;
  std::vector<std::pair<std::string_view, size_t>> names_;
  std::vector<char> keep_;
};

}  // namespace cmrelay
