#include "net/state/channel_list.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cmrelay::state {

std::string channels_json(const std::vector<std::string>& channels) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartArray();
  for (const std::string& c : channels) w.String(c.data(), static_cast<rapidjson::SizeType>(c.size()));
  w.EndArray();
  return std::string(sb.GetString(), sb.GetSize());
}

std::vector<std::string> parse_channels(std::string_view text) {
  std::vector<std::string> out;
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsArray()) return out;
  for (const auto& v : d.GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

}  // namespace cmrelay::state
