#include "input/duplicate_keys.h"

#include <algorithm>
#include <array>

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

// Whether the names of v (at most kFewMembers) are all different. Most objects' names have
// distinct bits; a name whose bit was seen is compared with the names that have that bit.
bool DuplicateKeys::few_distinct(const json::Value& v) {
  auto name = [&v](size_t i) {
    const json::Value& n = v.MemberBegin()[static_cast<std::ptrdiff_t>(i)].name;
    return std::string_view(n.GetString(), n.GetStringLength());
  };
  text::NameBits bits;
  std::array<unsigned char, kFewMembers> name_bits;  // Written before it is read.
  const size_t n = v.MemberCount();
  for (size_t i = 0; i < n; ++i) {
    const std::string_view s = name(i);
    const unsigned bit = text::name_bit(s);
    if (bits.has_bit(bit)) {
      for (size_t k = 0; k < i; ++k) {
        if (name_bits[k] == bit && name(k) == s) return false;
      }
    }
    bits.set_bit(bit);
    name_bits[i] = static_cast<unsigned char>(bit);
  }
  return true;
}

void DuplicateKeys::dedupe(json::Value& v, json::Allocator& alloc, std::string& first) {
  const size_t n = v.MemberCount();
  if (n < 2 || (n <= kFewMembers && few_distinct(v))) return;
  names_.clear();
  size_t i = 0;
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m, ++i) {
    names_.emplace_back(std::string_view(m->name.GetString(), m->name.GetStringLength()), i);
  }
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
