// Strict, bounded JSON parsing into memory that is reused from one body to the next.
// Valid UTF-8 is required, nesting is capped (no stack overflow on hostile input: the
// parser is iterative and the cap keeps later recursive walks shallow), and the pools are
// cleared per body, so the hot path allocates nothing once warmed up.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/hash.h"

namespace cmrelay::json {

using Value = rapidjson::Value;
using Allocator = rapidjson::MemoryPoolAllocator<>;

constexpr size_t kMaxDepth = 200;

class Parser {
 public:
  Parser();
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Forgets every value parsed so far and parses text as a new root.
  // Returns nullptr with error set ("invalid JSON at byte 12: ...") on failure.
  Value* parse(std::string_view text, std::string& error);

  // Framing and parsing in one pass: parses the JSON value that text begins with as a new
  // root, looking at no byte after it, and sets consumed to its length. Returns nullptr when
  // text does not begin with one valid value (invalid, cut off, too deep), consumed then
  // saying how far it read; the caller then frames the body the long way and parse() says why.
  // scratch is a copy of text followed by a NUL, parsed in situ: the value's strings point
  // into it (rewritten there), so it must outlive the value; text is not written.
  Value* parse_first(std::string_view text, char* scratch, size_t& consumed);

  // Parses text into out, alongside the current root (for JSON that arrives inside a
  // string). out lives until the next parse(). Returns false with error set on failure.
  bool parse_more(std::string_view text, Value& out, std::string& error);

  // False when no object in the root that parse() or parse_first() last returned has two
  // members of one name (each object's names had distinct text::name_bit()s); true when one
  // may have. Repeats are resolved elsewhere (input/duplicate_keys.h): this spares that walk
  // for nearly every body.
  bool names_may_repeat() const { return names_may_repeat_; }

  // The allocator of the current root: values added to it must come from here.
  Allocator& allocator() { return *values_; }

  // Starts a new body: drops the root and everything allocated for it, and returns the
  // (null) root for the caller to build.
  Value& reset();

 private:
  bool parse_text(std::string_view text, Value& out, std::string& error, bool* names_may_repeat);
  // The names seen in each open object, innermost last; reused from parse to parse.
  std::vector<text::NameBits> open_objects_;
  bool names_may_repeat_ = true;
  std::unique_ptr<char[]> value_buffer_;
  std::unique_ptr<char[]> stack_buffer_;
  std::unique_ptr<Allocator> values_;
  std::unique_ptr<Allocator> stack_;
  Value root_;
};

// Writes v as compact JSON. Safe for any value parse() returned (bounded depth).
std::string to_string(const Value& v);
// The same, appended to out; allocates nothing but out's growth once warmed up.
void append(std::string& out, const Value& v);

}  // namespace cmrelay::json
