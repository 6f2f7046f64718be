// Typed access to body fields that tolerates what real senders do (numbers as strings, null
// for absent) and rejects what cannot be meant (an object where text belongs) with the
// field's name in the error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json/parser.h"
#include "vendors/format.h"

namespace cmrelay::fields {

// A field's text: a string as is, a number or boolean spelled out. Holds its own digits,
// so it can be neither copied nor moved: use it where it is returned.
class Text {
 public:
  Text() = default;
  explicit Text(std::string_view s) : view_(s) {}
  explicit Text(int64_t i);
  explicit Text(uint64_t u);
  explicit Text(double d);
  Text(const Text&) = delete;
  Text& operator=(const Text&) = delete;

  std::string_view view() const { return view_; }
  operator std::string_view() const { return view_; }
  bool empty() const { return view_.empty(); }

 private:
  char buf_[32];
  std::string_view view_;
};

std::string_view type_name(const json::Value& v);  // "a string", "an object", ...

// The member, or nullptr when it is missing or null.
const json::Value* get(const json::Value& obj, std::string_view key);

// Text of a scalar member; empty when missing or null. where prefixes error messages
// ("Resources[1]."). Throws DecodeError for an object or array.
Text text(const json::Value& obj, std::string_view key, std::string_view where = {});
Text text_of(const json::Value& v, std::string_view name);  // The same for a value.

// A number, or a string holding one. nullopt when missing, null or a non-numeric string.
// Throws DecodeError for an object, array or boolean.
std::optional<double> number(const json::Value& obj, std::string_view key, std::string_view where = {});
std::optional<int64_t> integer(const json::Value& obj, std::string_view key, std::string_view where = {});

// An array or object member; nullptr when missing or null. Throws for any other type.
const json::Value* array(const json::Value& obj, std::string_view key, std::string_view where = {});
const json::Value* object(const json::Value& obj, std::string_view key, std::string_view where = {});

// The same, as text that outlives the body's parse (a copy).
inline std::string copy(const json::Value& obj, std::string_view key, std::string_view where = {}) {
  return std::string(text(obj, key, where).view());
}

// An object member, or an empty object when it is missing or null. Throws for any other type.
const json::Value& object_or_empty(const json::Value& obj, std::string_view key, std::string_view where = {});

// A member that may carry JSON inside a string (form bodies, "raw content" fields): a string
// whose first non-blank character is '{' or '[' is parsed with parser.parse_more() and
// replaces the string in obj, so later reads see the object or array. Returns the member
// (nullptr when missing, null, empty or the literal "null"). Throws DecodeError naming the
// field when the string does not parse.
json::Value* nested_json(json::Value& obj, std::string_view key, json::Parser& parser, std::string_view where = {});

// Shortest text that reads back as d ("97.2", "85").
std::string_view format_number(double d, char (&buf)[32]);

}  // namespace cmrelay::fields
