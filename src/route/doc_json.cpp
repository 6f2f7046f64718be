#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "route/doc.h"

namespace cmrelay::route {
namespace {

// Builds the tree from RapidJSON's SAX events; each node's line is where its token ends.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  TreeBuilder(const rapidjson::StringStream& in, const std::vector<size_t>& newlines, Node& root)
      : in_(in), newlines_(newlines), root_(root) {}

  bool Null() { return scalar(Node::Null, {}); }
  bool Bool(bool b) { return scalar(Node::Scalar, b ? "true" : "false"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return scalar(Node::Scalar, std::string(s, n)); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return scalar(Node::Scalar, std::string(s, n)); }
  bool StartObject() { return open(Node::Map); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(Node::Seq); }
  bool EndArray(rapidjson::SizeType) { return close(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key_.assign(s, n);
    key_line_ = line();
    has_key_ = true;
    return true;
  }

 private:
  int line() const {
    size_t at = in_.Tell();
    return 1 + static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), at) - newlines_.begin());
  }
  Node& place() {
    if (stack_.empty()) {
      root_ = Node();
      return root_;
    }
    Node& n = stack_.back()->items.emplace_back();
    if (has_key_) {
      n.key = key_;
      n.key_line = key_line_;
      has_key_ = false;
    }
    return n;
  }
  bool scalar(Node::Kind kind, std::string text) {
    Node& n = place();
    n.kind = kind;
    n.line = line();
    n.text = std::move(text);
    return true;
  }
  bool open(Node::Kind kind) {
    if (stack_.size() >= kMaxDepth) {
      too_deep_ = true;  // Refused before the tree (and every walk of it) gets that deep.
      return false;
    }
    Node& n = place();
    n.kind = kind;
    n.line = line();
    stack_.push_back(&n);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  const rapidjson::StringStream& in_;
  const std::vector<size_t>& newlines_;
  Node& root_;
  std::vector<Node*> stack_;  // Items vectors of open nodes only grow at their back.
  std::string key_;
  int key_line_ = 0;
  bool has_key_ = false;
  bool too_deep_ = false;

 public:
  static constexpr size_t kMaxDepth = 64;
  bool too_deep() const { return too_deep_; }
};

}  // namespace

bool parse_json(const std::string& text, Node& out, SyntaxError& err) {
  std::vector<size_t> newlines;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') newlines.push_back(i);
  }
  rapidjson::StringStream in(text.c_str());
  TreeBuilder builder(in, newlines, out);
  rapidjson::Reader reader;
  // Iterative, and the builder refuses deep nesting: a hostile file must not exhaust the stack.
  rapidjson::ParseResult ok =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag |
                   rapidjson::kParseIterativeFlag>(in, builder);
  if (ok) return true;
  size_t at = ok.Offset();
  auto before = std::lower_bound(newlines.begin(), newlines.end(), at);
  err.line = 1 + static_cast<int>(before - newlines.begin());
  size_t line_start = before == newlines.begin() ? 0 : *(before - 1) + 1;
  err.column = 1 + static_cast<int>(at - line_start);
  err.message = builder.too_deep() ? "nested deeper than " + std::to_string(TreeBuilder::kMaxDepth) + " levels"
                                   : std::string(rapidjson::GetParseError_En(ok.Code()));
  return false;
}

bool looks_like_json(const std::string& path, const std::string& text) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".json")) return true;
  if (ends_with(".yaml") || ends_with(".yml")) return false;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) return c == '{' || c == '[';
  }
  return false;
}

}  // namespace cmrelay::route
