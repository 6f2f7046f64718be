#include <yaml-cpp/yaml.h>

#include "route/doc.h"

namespace cmrelay::route {
namespace {

int line_of(const YAML::Node& n, int fallback) {
  int line = n.Mark().line;
  return line >= 0 ? line + 1 : fallback;
}

void convert(const YAML::Node& in, Node& out, int fallback_line) {
  out.line = line_of(in, fallback_line);
  switch (in.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = Node::Scalar;
      out.text = in.Scalar();
      break;
    case YAML::NodeType::Sequence:
      out.kind = Node::Seq;
      for (const YAML::Node& item : in) {
        convert(item, out.items.emplace_back(), out.line);
      }
      break;
    case YAML::NodeType::Map:
      out.kind = Node::Map;
      for (const auto& kv : in) {
        Node& m = out.items.emplace_back();
        m.key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
        m.key_line = line_of(kv.first, out.line);
        convert(kv.second, m, m.key_line);
      }
      break;
    default:
      out.kind = Node::Null;
      break;
  }
}

}  // namespace

bool parse_yaml(const std::string& text, Node& out, SyntaxError& err) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    err.line = e.mark.line + 1;
    err.column = e.mark.column + 1;
    err.message = e.msg;
    return false;
  }
  convert(root, out, 1);
  return true;
}

}  // namespace cmrelay::route
