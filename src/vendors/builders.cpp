#include "vendors/builders.h"

namespace cmrelay {

std::string first(std::initializer_list<std::string_view> values) {
  for (std::string_view v : values) {
    if (!v.empty()) return std::string(v);
  }
  return {};
}

void line(std::string& d, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  d += name;
  d += ": ";
  d += value;
  d += '\n';
}

void append_name_and_id(std::string& out, std::string_view name, std::string_view id) {
  out += name.empty() ? id : name;
  if (!name.empty() && !id.empty() && name != id) {
    out += " (";
    out += id;
    out += ')';
  }
}

std::string name_and_id(std::string_view name, std::string_view id) {
  std::string out;
  append_name_and_id(out, name, id);
  return out;
}

}  // namespace cmrelay
