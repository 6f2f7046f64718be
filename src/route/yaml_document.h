// One YAML document, read the one way for every YAML file cmrelay takes (route files, and
// the cases of routes test --cases): a second document is refused, never silently ignored,
// and a stream that would build a runaway tree (aliases) stops within a budget.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "route/doc.h"

namespace cmrelay::route {

// Loads the first document of text into doc (a null node when there is none). False with
// err set on a syntax error, on a second document (err.line its `---`, column 0) or when
// the stream passes the budget ("WHAT too large ...").
bool load_yaml_document(const std::string& text, YAML::Node& doc, SyntaxError& err, const std::string& what);

}  // namespace cmrelay::route
