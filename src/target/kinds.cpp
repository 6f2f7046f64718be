#include "target/kinds.h"

#include <array>

namespace cmrelay::target {

// Each kind's file defines its Kind; this list is where a new one is registered.
extern const Kind kFlashdutyKind;

namespace {

constexpr std::array kKinds{&kFlashdutyKind};

}  // namespace

const std::string* Settings::get(std::string_view key) const {
  for (const auto& [name, value] : values) {
    if (name == key) return &value;
  }
  return nullptr;
}

const Kind* find_kind(std::string_view name) {
  for (const Kind* k : kKinds) {
    if (k->name == name) return k;
  }
  return nullptr;
}

std::string kind_names() {
  std::string out;
  for (const Kind* k : kKinds) out.append(out.empty() ? "" : ", ").append(k->name);
  return out;
}

}  // namespace cmrelay::target
