#include "input/duplicate_keys.h"

#include <algorithm>

#include "text/hash.h"

namespace cmrelay {

std::string DuplicateKeys::resolve(json::Value& v, json::Allocator& alloc) {
  std::string first;
  object(v, alloc, first);
  return first;
}

// Recursion is bounded by the parser's depth cap (200).
void DuplicateKeys::object(json::Value& v, json::Allocator& alloc, std::string& first) {
  if (v.IsArray()) {
    for (json::Value& item : v.GetArray()) object(item, alloc, first);
    return;
  }
  if (!v.IsObject()) return;
  dedupe(v, alloc, first);  // First, so that nothing is looked at inside a dropped member.
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) object(m->value, alloc, first);
}

// Pairwise, cheapest first (length, first byte): for a few names cheaper than sorting them.
bool DuplicateKeys::all_distinct() const {
  for (size_t a = 1; a < names_.size(); ++a) {
    const std::string_view x = names_[a].first;
    for (size_t b = 0; b < a; ++b) {
      const std::string_view y = names_[b].first;
      if (x.size() == y.size() && (x.empty() || (x[0] == y[0] && x == y))) return false;
    }
  }
  return true;
}

void DuplicateKeys::dedupe(json::Value& v, json::Allocator& alloc, std::string& first) {
  const size_t n = v.MemberCount();
  if (n < 2) return;
  if (n <= kFewMembers) {
    // Most objects: a few names, each with its own bit, so none repeated.
    text::NameBits bits;
    bool shared = false;
    for (auto m = v.MemberBegin(); m != v.MemberEnd() && !shared; ++m) {
      shared = bits.add(std::string_view(m->name.GetString(), m->name.GetStringLength()));
    }
    if (!shared) return;
  }
  names_.clear();
  size_t i = 0;
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m, ++i) {
    names_.emplace_back(std::string_view(m->name.GetString(), m->name.GetStringLength()), i);
  }
  if (n <= kFewMembers && all_distinct()) return;  // Most objects: a few names, none repeated.
  std::sort(names_.begin(), names_.end());
  keep_.assign(n, 1);
  bool any = false;
  for (size_t k = 0; k + 1 < n; ++k) {
    if (names_[k].first != names_[k + 1].first) continue;
    keep_[names_[k + 1].second] = 0;  // An earlier member has the same name: it wins.
    if (!any && first.empty()) first.assign(names_[k].first.substr(0, 64));
    any = true;
  }
  if (!any) return;
  json::Value kept(rapidjson::kObjectType);
  i = 0;
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m, ++i) {
    if (keep_[i]) kept.AddMember(m->name, m->value, alloc);  // Moves: no copy of the strings.
  }
  v = kept;
}

}  // namespace cmrelay
