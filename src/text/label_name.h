// Prometheus-style label names from vendor keys: "instanceId" -> "instance_id",
// "ResourceID" -> "resource_id", "NameCN" -> "name_cn", "x.y-z" -> "x_y_z".
#pragma once

#include <string>
#include <string_view>

namespace cmrelay {

// Appends the label name for raw to out. A character outside ASCII becomes its own word,
// "u" and its code point in lower-case hex, at least 4 digits ("环境" -> "u73af_u5883",
// "CPU使用率" -> "cpu_u4f7f_u7528_u7387"). A raw key with no letter, digit or such character
// (only punctuation, or bytes that are not UTF-8) becomes "key_" plus a short hash of it, so
// distinct keys stay distinct.
void append_label_name(std::string& out, std::string_view raw);

inline std::string label_name(std::string_view prefix, std::string_view raw) {
  std::string out(prefix);
  append_label_name(out, raw);
  return out;
}

}  // namespace cmrelay
