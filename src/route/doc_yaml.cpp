#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "route/doc.h"
#include "route/yaml_document.h"

namespace cmrelay::route {
namespace {

// Aliases make a small file a huge tree (each level of `[*a, *a, ...]` multiplies it), and
// every reference is copied into the tree: the copy stops at this many nodes.
constexpr long kMaxNodes = 100000;
// Each alias level nests one deeper, and the copy recurses once per level.
constexpr int kMaxDepth = 1000;

int line_of(const YAML::Node& n, int fallback) {
  int line = n.Mark().line;
  return line >= 0 ? line + 1 : fallback;
}

class Converter {
 public:
  Converter(const std::string& text, SyntaxError& err) : text_(text), err_(err) {
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  // False (with err_ set) when the tree would pass kMaxNodes or kMaxDepth.
  bool convert(const YAML::Node& in, Node& out, int fallback_line, int depth) {
    out.line = line_of(in, fallback_line);
    if (++nodes_ > kMaxNodes)
      return fail(out.line, "route file too large (more than " + std::to_string(kMaxNodes) + " nodes; aliases?)");
    if (depth > kMaxDepth)
      return fail(out.line, "route file nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
    switch (in.Type()) {
      case YAML::NodeType::Scalar:
        out.kind = Node::Scalar;
        out.text = in.Scalar();
        locate_text(in.Mark(), out);
        break;
      case YAML::NodeType::Sequence:
        out.kind = Node::Seq;
        for (const YAML::Node& item : in) {
          if (!convert(item, out.items.emplace_back(), out.line, depth + 1)) return false;
        }
        break;
      case YAML::NodeType::Map:
        out.kind = Node::Map;
        for (const auto& kv : in) {
          Node& m = out.items.emplace_back();
          m.key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
          m.key_line = line_of(kv.first, out.line);
          if (!convert(kv.second, m, m.key_line, depth + 1)) return false;
        }
        break;
      default:
        out.kind = Node::Null;
        break;
    }
    return true;
  }

 private:
  // Sets out.text_line and text_column from the scalar's mark: after a block indicator, the
  // next line that holds text, at its indentation; after a quote, the next column.
  void locate_text(const YAML::Mark& mark, Node& out) const {
    if (mark.line < 0 || static_cast<size_t>(mark.line) >= line_starts_.size()) return;
    const size_t at = line_starts_[static_cast<size_t>(mark.line)] + static_cast<size_t>(std::max(mark.column, 0));
    const char c = at < text_.size() ? text_[at] : '\0';
    out.text_line = mark.line + 1;
    out.text_column = mark.column + (c == '"' || c == '\'' ? 2 : 1);
    if (c != '|' && c != '>') return;
    out.text_line = mark.line + 2;
    for (size_t l = static_cast<size_t>(mark.line) + 1; l < line_starts_.size(); ++l) {
      size_t p = line_starts_[l];
      size_t indent = 0;
      while (p + indent < text_.size() && text_[p + indent] == ' ') ++indent;
      if (p + indent < text_.size() && text_[p + indent] != '\n') {
        out.text_column = static_cast<int>(indent) + 1;
        return;
      }
    }
  }

  bool fail(int line, std::string message) {
    err_.line = line;
    err_.column = 0;
    err_.message = std::move(message);
    return false;
  }

  const std::string& text_;
  std::vector<size_t> line_starts_{0};  // Where each line begins.
  SyntaxError& err_;
  long nodes_ = 0;
};

// The line of the document marker (`---` at the start of a line) that opens the second
// document: the first after the first document's root, or the second in the file when the
// first document is empty; else where the second document starts.
int second_document_line(const std::string& text, const YAML::Node& first, const YAML::Mark& second) {
  int after = first.Mark().line >= 0 ? first.Mark().line + 1 : 0;
  int skip = after > 0 ? 0 : 1;  // An empty first document: its own marker comes first.
  int n = 1;
  for (size_t i = 0; i < text.size(); ++n) {
    if (n > after && text.compare(i, 3, "---") == 0 && skip-- == 0) return n;
    size_t nl = text.find('\n', i);
    if (nl == std::string::npos) break;
    i = nl + 1;
  }
  return second.line >= 0 ? second.line + 1 : 1;
}

// Counts the documents of a stream without building them, within a budget of events: how a
// second document is found. (yaml-cpp's LoadAll builds every document, and runs away on
// some mangled input; its parser driving no tree does not.)
class DocumentCounter : public YAML::EventHandler {
 public:
  struct OverBudget {};
  int documents = 0;
  YAML::Mark second;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents == 2) second = mark;
    tick();
  }
  void OnDocumentEnd() override { tick(); }
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { tick(); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { tick(); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { tick(); }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    tick();
  }
  void OnSequenceEnd() override { tick(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { tick(); }
  void OnMapEnd() override { tick(); }

 private:
  void tick() {
    if (++events_ > 4 * kMaxNodes) throw OverBudget{};
  }
  long events_ = 0;
};

}  // namespace

bool load_yaml_document(const std::string& text, YAML::Node& doc, SyntaxError& err, const std::string& what) {
  DocumentCounter counter;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (counter.documents < 2 && parser.HandleNextDocument(counter)) {
    }
    doc = YAML::Load(text);  // The first document only.
  } catch (const YAML::ParserException& e) {
    err.line = e.mark.line + 1;
    err.column = e.mark.column + 1;
    err.message = e.msg;
    return false;
  } catch (const DocumentCounter::OverBudget&) {
    if (counter.documents < 2) {
      err.line = 1;
      err.column = 0;
      err.message = what + " too large (more than " + std::to_string(kMaxNodes) + " nodes; aliases?)";
      return false;
    }
  }
  if (counter.documents > 1) {
    err.line = second_document_line(text, doc, counter.second);
    err.column = 0;
    err.message = "more than one YAML document";
    return false;
  }
  return true;
}

std::string syntax_message(const SyntaxError& err) {
  return err.column == 0 ? err.message : "syntax error at column " + std::to_string(err.column) + ": " + err.message;
}

bool parse_yaml(const std::string& text, Node& out, SyntaxError& err) {
  YAML::Node doc;
  if (!load_yaml_document(text, doc, err, "route file")) return false;
  out = Node();
  return Converter(text, err).convert(doc, out, 1, 0);
}

}  // namespace cmrelay::route
