// Reading a route file: RouteTable::load and check_routes.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "route/model.h"
#include "route/route.h"

namespace cmrelay {
namespace route {

bool load_model(const std::string& path, Model& m, std::vector<Finding>& errors) {
  m.path = path;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    errors.push_back({0, std::string("cannot read: ") + std::strerror(errno)});
    return false;
  }
  std::string s = text.str();
  Node root;
  SyntaxError syntax;
  if (!(looks_like_json(path, s) ? parse_json(s, root, syntax) : parse_yaml(s, root, syntax))) {
    errors.push_back({syntax.line, syntax.column == 0 ? syntax.message
                                                      : "syntax error at column " + std::to_string(syntax.column) + ": " + syntax.message});
    return true;
  }
  build_model(root, m, errors, [](const std::string& name) -> const char* { return std::getenv(name.c_str()); });
  return true;
}

namespace {

// "FILE:LINE: message"; "FILE: message" for what concerns no line (a file that cannot be read).
std::string located(const std::string& path, const Finding& f) {
  return path + (f.line > 0 ? ":" + std::to_string(f.line) : "") + ": " + (f.warning ? "warning: " : "") + f.message;
}

void by_line(std::vector<Finding>& all) {
  std::stable_sort(all.begin(), all.end(), [](const Finding& a, const Finding& b) { return a.line < b.line; });
}

}  // namespace
}  // namespace route

RouteTable RouteTable::load(const std::string& path) {
  auto m = std::make_shared<route::Model>();
  std::vector<route::Finding> errors;
  route::load_model(path, *m, errors);
  if (!errors.empty()) {
    // Every error, so that one edit fixes them all.
    route::by_line(errors);
    std::string all;
    for (const route::Finding& f : errors) all += (all.empty() ? "" : "\n") + route::located(path, f);
    throw RouteError(all);
  }
  return RouteTable(std::move(m));
}

const std::vector<Channel>& RouteTable::channels() const { return m_->channels; }
const SeverityTable& RouteTable::severity() const { return m_->severity; }
const std::string& RouteTable::path() const { return m_->path; }
size_t RouteTable::case_count() const { return m_->cases.size(); }

bool RouteTable::has_default() const { return !m_->default_channels.empty(); }

bool check_routes(const std::string& path, std::vector<std::string>& findings, size_t* warnings) {
  route::Model m;
  std::vector<route::Finding> all;
  bool readable = route::load_model(path, m, all);
  if (readable) route::lint_model(m, all);
  route::by_line(all);
  for (const route::Finding& f : all) {
    findings.push_back(route::located(path, f));
    if (warnings != nullptr && f.warning) ++*warnings;
  }
  return readable;
}

}  // namespace cmrelay
