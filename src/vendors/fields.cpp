#include "vendors/fields.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "text/ascii.h"

namespace cmrelay::fields {
namespace {

[[noreturn]] void wrong_type(std::string_view where, std::string_view key, std::string_view want,
                             const json::Value& v) {
  throw DecodeError("field " + std::string(where) + std::string(key) + ": expected " + std::string(want) + ", got " +
                    std::string(type_name(v)));
}

// a and b's first n bytes are equal, for sizeof(Word) <= n <= 2 * sizeof(Word): their first
// and last words (overlapping when n is shorter than two).
template <class Word>
bool same_ends(const char* a, const char* b, size_t n) {
  Word a0 = 0, b0 = 0, a1 = 0, b1 = 0;
  std::memcpy(&a0, a, sizeof a0);
  std::memcpy(&b0, b, sizeof b0);
  std::memcpy(&a1, a + n - sizeof a1, sizeof a1);
  std::memcpy(&b1, b + n - sizeof b1, sizeof b1);
  return a0 == b0 && a1 == b1;
}

// a and b's first n bytes are equal. Member names are short: two word compares, inline,
// instead of a call to memcmp for each name that has the key's length and first byte.
bool same_bytes(const char* a, const char* b, size_t n) {
  if (n > 16) return std::memcmp(a, b, n) == 0;
  if (n >= 8) return same_ends<uint64_t>(a, b, n);
  if (n >= 4) return same_ends<uint32_t>(a, b, n);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

Text::Text(int64_t i) {
  auto r = std::to_chars(buf_, buf_ + sizeof buf_, i);
  view_ = std::string_view(buf_, r.ptr - buf_);
}

Text::Text(uint64_t u) {
  auto r = std::to_chars(buf_, buf_ + sizeof buf_, u);
  view_ = std::string_view(buf_, r.ptr - buf_);
}

Text::Text(double d) { view_ = format_number(d, buf_); }

std::string_view format_number(double d, char (&buf)[32]) {
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(d));
    return std::string_view(buf, r.ptr - buf);
  }
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string_view(buf, r.ptr - buf);
}

std::string_view type_name(const json::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "a value";
}

const json::Value* get(const json::Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  // FindMember, with the length and first byte compared before any memcmp: most members
  // differ there, and this lookup runs dozens of times per event.
  const auto size = static_cast<rapidjson::SizeType>(key.size());
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    const json::Value& name = it->name;
    if (name.GetStringLength() != size) continue;
    const char* s = name.GetString();
    if (size > 0 && (s[0] != key[0] || !same_bytes(s, key.data(), key.size()))) continue;
    return it->value.IsNull() ? nullptr : &it->value;
  }
  return nullptr;
}

Text text_of(const json::Value& v, std::string_view name) {
  if (v.IsString()) return Text(std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsInt64()) return Text(static_cast<int64_t>(v.GetInt64()));
  if (v.IsUint64()) return Text(static_cast<uint64_t>(v.GetUint64()));
  if (v.IsNumber()) return Text(v.GetDouble());
  if (v.IsBool()) return Text(std::string_view(v.GetBool() ? "true" : "false"));
  if (v.IsNull()) return Text();
  wrong_type({}, name, "text", v);
}

Text text(const json::Value& obj, std::string_view key, std::string_view where) {
  const json::Value* v = get(obj, key);
  if (v == nullptr) return Text();
  if (v->IsObject() || v->IsArray()) wrong_type(where, key, "text", *v);
  return text_of(*v, key);
}

std::optional<double> number(const json::Value& obj, std::string_view key, std::string_view where) {
  const json::Value* v = get(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->IsNumber()) return v->GetDouble();
  if (v->IsString()) {
    std::string_view s = text::trim(std::string_view(v->GetString(), v->GetStringLength()));
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double d = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return d;
  }
  wrong_type(where, key, "a number", *v);
}

std::optional<int64_t> integer(const json::Value& obj, std::string_view key, std::string_view where) {
  const json::Value* v = get(obj, key);
  if (v != nullptr && v->IsInt64()) return v->GetInt64();
  std::optional<double> d = number(obj, key, where);
  if (!d || !std::isfinite(*d) || std::fabs(*d) > 9.2e18) return std::nullopt;
  return static_cast<int64_t>(*d);
}

const json::Value* array(const json::Value& obj, std::string_view key, std::string_view where) {
  const json::Value* v = get(obj, key);
  if (v != nullptr && !v->IsArray()) wrong_type(where, key, "an array", *v);
  return v;
}

const json::Value* object(const json::Value& obj, std::string_view key, std::string_view where) {
  const json::Value* v = get(obj, key);
  if (v != nullptr && !v->IsObject()) wrong_type(where, key, "an object", *v);
  return v;
}

const json::Value& object_or_empty(const json::Value& obj, std::string_view key, std::string_view where) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* v = object(obj, key, where);
  return v ? *v : kEmpty;
}

json::Value* nested_json(json::Value& obj, std::string_view key, json::Parser& parser, std::string_view where) {
  if (!obj.IsObject()) return nullptr;
  // Const iterators (C++20 finds RapidJSON's == ambiguous otherwise); obj itself is mutable.
  const json::Value& c = obj;
  auto it = c.FindMember(json::Value(rapidjson::StringRef(key.data(), key.size())));
  if (it == c.MemberEnd() || it->value.IsNull()) return nullptr;
  auto* value = const_cast<json::Value*>(&it->value);
  if (!it->value.IsString()) return value;
  std::string_view s(it->value.GetString(), it->value.GetStringLength());
  size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || s == "null") return nullptr;
  if (s[first] != '{' && s[first] != '[') return value;
  json::Value parsed;
  std::string error;
  if (!parser.parse_more(s, parsed, error)) {
    throw DecodeError("field " + std::string(where) + std::string(key) + ": JSON inside the string: " + error);
  }
  *value = parsed;  // Moves: the parsed values live in the body's pool.
  return value;
}

}  // namespace cmrelay::fields
