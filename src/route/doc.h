// A route file as a tree with line numbers, the same for YAML and JSON, so one builder
// turns either syntax into the model.
#pragma once

#include <string>
#include <vector>

namespace cmrelay::route {

struct Node {
  enum Kind { Null, Scalar, Seq, Map };
  Kind kind = Null;
  int line = 0;     // 1-based.
  std::string key;  // As a member of a map: its key.
  int key_line = 0;
  std::string text;  // Scalar (numbers as written, booleans as true/false).
  // Where a scalar's text starts in the file (1-based; 0 when unknown): a block scalar's
  // (| or >) first line is the one after its indicator, at the block's indentation. A
  // position inside a multi-line text (a template's error) is then a position in the file.
  int text_line = 0;
  int text_column = 0;
  std::vector<Node> items;  // Seq items, or Map members (each with key set).

  const Node* member(const std::string& name) const {
    for (const Node& m : items) {
      if (m.key == name) return &m;
    }
    return nullptr;
  }
};

// A syntax error, or (column 0) a file that parses but cannot be used: more than one YAML
// document, or a tree too large.
struct SyntaxError {
  int line = 0;
  int column = 0;
  std::string message;
};

// "syntax error at column C: MESSAGE", or the message alone when it has no column.
std::string syntax_message(const SyntaxError& err);

// Parse text; false with err set on a syntax error.
bool parse_yaml(const std::string& text, Node& out, SyntaxError& err);
bool parse_json(const std::string& text, Node& out, SyntaxError& err);

// JSON when the file name ends in .json, YAML when .yaml or .yml, else JSON when the first
// non-blank byte is '{' or '['.
bool looks_like_json(const std::string& path, const std::string& text);

}  // namespace cmrelay::route
