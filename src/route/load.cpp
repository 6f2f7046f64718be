// Reading a route file: RouteTable::load and check_routes.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "route/model.h"
#include "route/route.h"

namespace cmrelay {
namespace route {

std::string unset_placeholder(const std::string& name) { return "<unset:" + name + ">"; }

namespace {

bool read_file(const std::string& path, std::string& out, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    why = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  out = text.str();
  return true;
}

// Parses text (JSON or YAML, as its name or first byte says); false with the error found.
bool parse(const std::string& path, const std::string& text, Node& root, Finding& error) {
  SyntaxError syntax;
  if (looks_like_json(path, text) ? parse_json(text, root, syntax) : parse_yaml(text, root, syntax)) return true;
  error.line = syntax.line;
  error.message = syntax_message(syntax);
  return false;
}

}  // namespace

bool load_model(const std::string& path, Model& m, std::vector<Finding>& errors, std::vector<std::string>* unset) {
  m.path = path;
  std::string s, why;
  if (!read_file(path, s, why)) {
    errors.emplace_back(0, why);
    return false;
  }
  Node root;
  Finding bad;
  if (!parse(path, s, root, bad)) {
    errors.push_back(bad);
    return true;
  }
  // A channel map naming Flashduty's route JSON (relative to the map): its cases and default.
  FlashdutyRoute flashduty;
  Node flashduty_root;
  const Node* named = root.kind == Node::Map ? root.member("flashduty_route") : nullptr;
  if (named != nullptr && named->kind == Node::Scalar && !named->text.empty()) {
    std::filesystem::path p(named->text);
    m.flashduty_route = p.is_absolute() ? p.string() : (std::filesystem::path(path).parent_path() / p).string();
    std::string text;
    if (!read_file(m.flashduty_route, text, why)) {
      errors.emplace_back(named->line, "flashduty_route " + m.flashduty_route + ": " + why);
      return true;
    }
    bad = Finding();
    if (!parse(m.flashduty_route, text, flashduty_root, bad)) {
      bad.file = m.flashduty_route;
      errors.push_back(bad);
      return true;
    }
    flashduty = {&flashduty_root, m.flashduty_route};
  }
  std::deque<std::string> placeholders;  // Alive while the model is built (expansion copies them).
  build_model(
      root, m, errors,
      [&](const std::string& name) -> const char* {
        const char* value = std::getenv(name.c_str());
        if (value != nullptr || unset == nullptr) return value;
        if (std::find(unset->begin(), unset->end(), name) == unset->end()) unset->push_back(name);
        return placeholders.emplace_back(unset_placeholder(name)).c_str();
      },
      flashduty);
  return true;
}

namespace {

// "FILE:LINE: message"; "FILE: message" for what concerns no line (a file that cannot be read).
std::string located(const std::string& path, const Finding& f) {
  return (f.file.empty() ? path : f.file) + (f.line > 0 ? ":" + std::to_string(f.line) : "") + ": " +
         (f.warning ? "warning: " : "") + f.message;
}

// The route file's findings first, then a Flashduty route's (f.file), each in line order.
void by_line(std::vector<Finding>& all) {
  std::stable_sort(all.begin(), all.end(), [](const Finding& a, const Finding& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
}

}  // namespace
}  // namespace route

namespace {

// Loads path (unset, when given, collects the ${VAR}s left unset as placeholders); throws
// RouteError with every error, one line each in line order, so that one edit fixes them all.
std::shared_ptr<const route::Model> load_or_throw(const std::string& path, std::vector<std::string>* unset) {
  auto m = std::make_shared<route::Model>();
  std::vector<route::Finding> errors;
  route::load_model(path, *m, errors, unset);
  if (!errors.empty()) {
    route::by_line(errors);
    std::string all;
    for (const route::Finding& f : errors) all += (all.empty() ? "" : "\n") + route::located(path, f);
    throw RouteError(all);
  }
  return m;
}

}  // namespace

RouteTable RouteTable::load(const std::string& path) { return RouteTable(load_or_throw(path, nullptr)); }

RouteTable RouteTable::load_without_secrets(const std::string& path, std::vector<std::string>& unset) {
  return RouteTable(load_or_throw(path, &unset));
}

const std::vector<Channel>& RouteTable::channels() const { return m_->channels; }
const SeverityTable& RouteTable::severity() const { return m_->severity; }
const std::string& RouteTable::path() const { return m_->path; }
size_t RouteTable::case_count() const { return m_->cases.size(); }

bool RouteTable::has_default() const { return !m_->default_channels.empty(); }

bool check_routes(const std::string& path, std::vector<std::string>& findings, size_t* warnings, bool extensions) {
  route::Model m;
  std::vector<route::Finding> all;
  bool readable = route::load_model(path, m, all);
  if (readable) route::lint_model(m, all);
  if (extensions || !m.flashduty_route.empty()) all.insert(all.end(), m.extensions.begin(), m.extensions.end());
  route::by_line(all);
  for (const route::Finding& f : all) {
    findings.push_back(route::located(path, f));
    if (warnings != nullptr && f.warning) ++*warnings;
  }
  return readable;
}

}  // namespace cmrelay
