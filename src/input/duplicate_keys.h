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
  // Objects of up to kFewMembers members are checked by their names' text::name_bit: only
  // names that share one are compared. For so few this is cheaper than sorting and stays
  // O(1) per object. A repeat found is resolved by sorting.
  static constexpr size_t kFewMembers = 32;
  static bool few_distinct(const json::Value& v);
  std::vector<std::pair<std::string_view, size_t>> names_;
  std::vector<char> keep_;
};

}  // namespace cmrelay
