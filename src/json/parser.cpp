#include "json/parser.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>

#include "text/utf8.h"

namespace cmrelay::json {
namespace {

constexpr size_t kValueBuffer = 256u << 10;
constexpr size_t kStackBuffer = 64u << 10;

using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator>;

// Forwards SAX events to the document while refusing to nest deeper than kMaxDepth, and notes
// whether an object may hold a name twice (two of its names share a text::name_bit).
struct DepthLimited {
  Doc& d;
  std::vector<text::NameBits>& open;
  bool names_may_repeat = false;
  size_t depth = 0;
  bool escapes = true;  // The text has a \u escape: strings must be checked for surrogates.
  bool too_deep = false;
  bool lone_surrogate = false;

  bool Null() { return d.Null(); }
  bool Bool(bool b) { return d.Bool(b); }
  bool Int(int i) { return d.Int(i); }
  bool Uint(unsigned i) { return d.Uint(i); }
  bool Int64(int64_t i) { return d.Int64(i); }
  bool Uint64(uint64_t i) { return d.Uint64(i); }
  bool Double(double x) { return d.Double(x); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return d.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return text(s, n) && d.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (open.back().add(std::string_view(s, n))) names_may_repeat = true;
    return text(s, n) && d.Key(s, n, copy);
  }
  bool StartObject() {
    if (!enter()) return false;
    open.emplace_back();
    return d.StartObject();
  }
  bool EndObject(rapidjson::SizeType n) {
    --depth;
    open.pop_back();
    return d.EndObject(n);
  }
  bool StartArray() { return enter() && d.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth;
    return d.EndArray(n);
  }

  // RapidJSON turns an escaped lone surrogate ("\udc00") into bytes that are not UTF-8;
  // only such escapes can, and their encoding starts with 0xED. Most bodies have no \u
  // escape at all, and then no string needs looking at.
  bool text(const char* s, rapidjson::SizeType n) {
    if (escapes && std::memchr(s, '\xED', n) != nullptr && !utf8::valid(std::string_view(s, n))) {
      lone_surrogate = true;
      return false;
    }
    return true;
  }

  bool enter() {
    if (++depth > kMaxDepth) {
      too_deep = true;
      return false;
    }
    return true;
  }
};

constexpr unsigned kFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag;

// Parses what `is` reads into out, with kFlags | Extra; escapes: whether the text has a \u
// escape (then strings are checked for lone surrogates).
// names_may_repeat: set as Parser::names_may_repeat() says.
template <unsigned Extra, class Stream>
bool parse_into(Stream& is, bool escapes, Value& out, Allocator& values, Allocator& stack,
                std::vector<text::NameBits>& open, bool& names_may_repeat, std::string& error) {
  Doc doc(&values, 1024, &stack);
  rapidjson::ParseResult result;
  bool too_deep = false;
  bool lone_surrogate = false;
  open.clear();
  auto generate = [&](Doc& d) {
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, Allocator> reader(&stack);
    DepthLimited handler{d, open};
    handler.escapes = escapes;
    result = reader.Parse<kFlags | Extra>(is, handler);
    too_deep = handler.too_deep;
    lone_surrogate = handler.lone_surrogate;
    names_may_repeat = handler.names_may_repeat || result.IsError();  // Nothing is said of a failed parse.
    return !result.IsError();
  };
  doc.Populate(generate);
  if (result.IsError()) {
    if (too_deep) {
      error =
          "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels at byte " + std::to_string(result.Offset());
    } else if (lone_surrogate) {
      error = "invalid UTF-8 in a JSON string before byte " + std::to_string(result.Offset()) +
              ": an escaped lone surrogate (\\uD800-\\uDFFF)";
    } else if (result.Code() == rapidjson::kParseErrorStringInvalidEncoding) {
      error = "invalid UTF-8 in a JSON string at byte " + std::to_string(result.Offset());
    } else if (result.Code() == rapidjson::kParseErrorDocumentEmpty) {
      error = "empty body";
    } else {
      error = std::string("invalid JSON at byte ") + std::to_string(result.Offset()) + ": " +
              rapidjson::GetParseError_En(result.Code());
    }
    return false;
  }
  out = static_cast<Value&>(doc);  // Moves: the values stay in the shared pool.
  return true;
}

}  // namespace

Parser::Parser()
    : value_buffer_(new char[kValueBuffer]),
      stack_buffer_(new char[kStackBuffer]),
      values_(std::make_unique<Allocator>(value_buffer_.get(), kValueBuffer)),
      stack_(std::make_unique<Allocator>(stack_buffer_.get(), kStackBuffer)) {
  open_objects_.reserve(kMaxDepth + 1);  // Never grown while parsing.
}

Parser::~Parser() = default;

Value& Parser::reset() {
  names_may_repeat_ = true;
  root_.SetNull();
  values_->Clear();
  stack_->Clear();
  return root_;
}

bool Parser::parse_text(std::string_view text, Value& out, std::string& error, bool* names_may_repeat) {
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  bool repeat = true;
  const bool parsed = parse_into<0>(is, text.find("\\u") != std::string_view::npos, out, *values_, *stack_,
                                    open_objects_, repeat, error);
  if (names_may_repeat != nullptr) *names_may_repeat = repeat;
  return parsed;
}

Value* Parser::parse(std::string_view text, std::string& error) {
  reset();
  if (!parse_text(text, root_, error, &names_may_repeat_)) return nullptr;
  return &root_;
}

Value* Parser::parse_first(std::string_view text, char* scratch, size_t& consumed) {
  reset();
  std::string error;  // Only set on failure, which the caller reports through parse().
  // In situ: the strings stay where they are in scratch, unescaped there, instead of being
  // copied twice (to the reader's stack, then to the pool); about a quarter of the parse.
  rapidjson::InsituStringStream is(scratch);
  // Looked for in what the parse read only once it knows where that ends (below).
  const bool parsed = parse_into<rapidjson::kParseInsituFlag | rapidjson::kParseStopWhenDoneFlag>(
      is, false, root_, *values_, *stack_, open_objects_, names_may_repeat_, error);
  consumed = is.Tell();
  if (!parsed) return nullptr;
  // Strings were not checked for escaped lone surrogates: a value with a \u escape (rare) is
  // parsed again the checking way.
  if (text.substr(0, consumed).find("\\u") != std::string_view::npos) return parse(text.substr(0, consumed), error);
  return &root_;
}

bool Parser::parse_more(std::string_view text, Value& out, std::string& error) {
  return parse_text(text, out, error, nullptr);
}

std::string to_string(const Value& v) {
  std::string out;
  append(out, v);
  return out;
}

void append(std::string& out, const Value& v) {
  // Reused from call to call (vendors write nested objects into labels, per event): the
  // writer keeps its level stack and the buffer its storage, but not that of a large value.
  constexpr size_t kKeep = 64u << 10;
  thread_local rapidjson::StringBuffer buffer;
  thread_local rapidjson::Writer<rapidjson::StringBuffer> writer;
  buffer.Clear();
  writer.Reset(buffer);
  v.Accept(writer);
  out.append(buffer.GetString(), buffer.GetSize());
  if (buffer.GetSize() > kKeep) {
    buffer.Clear();
    buffer.ShrinkToFit();
  }
}

}  // namespace cmrelay::json
