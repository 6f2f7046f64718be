// The project's one hash of text: FNV-1a, 64 bits. Not for secrets or adversaries; it names
// things stably across runs and builds (an alert_key too long for Flashduty, a body for
// serve's duplicate window), so its output must never change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cmrelay::text {

// FNV-1a 64 of the bytes of s ("" -> 0xcbf29ce484222325).
constexpr uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

// fnv1a64(s) as 16 lower-case hex digits.
std::string fnv1a64_hex(std::string_view s);

// One of 256 bits for a name, from its length, first and last byte: equal names get the same
// bit, so a set of names whose bits are all different holds no name twice. Cheap enough to
// run on every label and every member name; its values may change between builds.
constexpr unsigned name_bit(std::string_view s) {
  if (s.empty()) return 0;
  const uint32_t h = static_cast<uint32_t>(s.size()) * 0x9E3779B1u ^
                     static_cast<uint32_t>(static_cast<unsigned char>(s.front())) * 0x85EBCA6Bu ^
                     static_cast<uint32_t>(static_cast<unsigned char>(s.back())) * 0xC2B2AE35u;
  return h >> 24;
}

// A set of name_bit()s.
struct NameBits {
  uint64_t words[4] = {};
  // Sets s's bit; true when it was set already (s, or another name with its bit, was added).
  bool add(std::string_view s) {
    const unsigned b = name_bit(s);
    const bool had = has_bit(b);
    set_bit(b);
    return had;
  }
  bool has(std::string_view s) const { return has_bit(name_bit(s)); }
  bool has_bit(unsigned b) const { return (words[b >> 6] >> (b & 63) & 1) != 0; }
  void set_bit(unsigned b) { words[b >> 6] |= uint64_t{1} << (b & 63); }
  void clear() { words[0] = words[1] = words[2] = words[3] = 0; }
  // Whether the two sets share a bit: false means no name of one is in the other.
  bool meets(const NameBits& o) const {
    return ((words[0] & o.words[0]) | (words[1] & o.words[1]) | (words[2] & o.words[2]) | (words[3] & o.words[3])) != 0;
  }
};

}  // namespace cmrelay::text
