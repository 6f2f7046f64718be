// Reading a route file: RouteTable::load and check_routes.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>

#include "route/model.h"
#include "route/route.h"

namespace cmrelay {
namespace route {

std::string unset_placeholder(const std::string& name) { return "<unset:" + name + ">"; }

bool load_model(const std::string& path, Model& m, std::vector<Finding>& errors, std::vector<std::string>* unset) {
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
  std::deque<std::string> placeholders;  // Alive while the model is built (expansion copies them).
  build_model(root, m, errors, [&](const std::string& name) -> const char* {
    const char* value = std::getenv(name.c_str());
    if (value != nullptr || unset == nullptr) return value;
    if (std::find(unset->begin(), unset->end(), name) == unset->end()) unset->push_back(name);
    return placeholders.emplace_back(unset_placeholder(name)).c_str();
  });
  return true;
}

namespace {

std::string located(const std::string& path, const Finding& f) {
  return path + ":" + std::to_string(f.line) + ": " + f.message;
}

}  // namespace
}  // namespace route

RouteTable RouteTable::load(const std::string& path) {
  auto m = std::make_shared<route::Model>();
  std::vector<route::Finding> errors;
  route::load_model(path, *m, errors);
  if (!errors.empty()) throw RouteError(route::located(path, errors.front()));
  return RouteTable(std::move(m));
}

RouteTable RouteTable::load_without_secrets(const std::string& path, std::vector<std::string>& unset) {
  auto m = std::make_shared<route::Model>();
  std::vector<route::Finding> errors;
  route::load_model(path, *m, errors, &unset);
  if (!errors.empty()) throw RouteError(route::located(path, errors.front()));
  return RouteTable(std::move(m));
}

const std::vector<Channel>& RouteTable::channels() const { return m_->channels; }
const SeverityTable& RouteTable::severity() const { return m_->severity; }
const std::string& RouteTable::path() const { return m_->path; }
size_t RouteTable::case_count() const { return m_->cases.size(); }

bool check_routes(const std::string& path, std::vector<std::string>& findings) {
  route::Model m;
  std::vector<route::Finding> all;
  bool readable = route::load_model(path, m, all);
  if (readable) route::lint_model(m, all);
  std::stable_sort(all.begin(), all.end(), [](const route::Finding& a, const route::Finding& b) { return a.line < b.line; });
  for (const route::Finding& f : all) findings.push_back(route::located(path, f));
  return readable;
}

}  // namespace cmrelay
