// The small text builders that titles and descriptions of both vendors are made of, so that
// "name (id)" and "Name: value" lines read the same whatever the vendor.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace cmrelay {

// The first of a and b that is not empty.
inline std::string_view either(std::string_view a, std::string_view b) { return a.empty() ? b : a; }

// A copy of the first value that is not empty (for values read from temporaries).
std::string first(std::initializer_list<std::string_view> values);

// Appends "<name>: <value>\n" to a description when value is not empty.
void line(std::string& d, std::string_view name, std::string_view value);

// Appends "name (id)" when both are known and differ, else whichever is known.
void append_name_and_id(std::string& out, std::string_view name, std::string_view id);
// The same as a new string.
std::string name_and_id(std::string_view name, std::string_view id);

// Drops the description's last newline.
inline void end_description(std::string& d) {
  if (!d.empty() && d.back() == '\n') d.pop_back();
}

}  // namespace cmrelay
