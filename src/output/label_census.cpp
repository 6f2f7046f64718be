#include "output/label_census.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "text/escape.h"
#include "text/utf8.h"

namespace cmrelay {

void LabelCensus::add(const Event& e) {
  ++events_;
  for (const Label& l : e.labels) {
    auto it = keys_.find(l.key);
    if (it == keys_.end()) {
      if (keys_.size() >= kMaxKeys) {
        ++keys_dropped_;
        continue;
      }
      it = keys_.emplace(l.key, Key{}).first;
    }
    Key& k = it->second;
    ++k.events;
    if (k.distinct.size() < kMaxDistinct && k.distinct.insert(l.value).second && k.examples.size() < kExamples) {
      k.examples.push_back(l.value);
    }
  }
}

std::vector<std::pair<const std::string*, const LabelCensus::Key*>> LabelCensus::ranked() const {
  std::vector<std::pair<const std::string*, const Key*>> out;
  for (const auto& [name, k] : keys_) out.emplace_back(&name, &k);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second->events > b.second->events; });
  return out;
}

void LabelCensus::write_ndjson(std::FILE* out) const {
  for (const auto& [name, k] : ranked()) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("key");
    w.String(name->c_str(), static_cast<rapidjson::SizeType>(name->size()));
    w.Key("events");
    w.Uint64(k->events);
    w.Key(k->distinct.size() < kMaxDistinct ? "distinct" : "distinct_at_least");
    w.Uint64(k->distinct.size());
    w.Key("examples");
    w.StartArray();
    for (const std::string& v : k->examples) w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
    w.EndObject();
    std::fprintf(out, "%s\n", sb.GetString());
  }
}

void LabelCensus::write_table(std::FILE* out) const {
  constexpr size_t kExampleWidth = 40;  // Each example cut to this many bytes, on a character boundary.
  // Cut to kExampleWidth; control characters escaped, as a terminal would act on them.
  auto cut = [](const std::string& v) {
    size_t n = v.size();
    if (n > kExampleWidth) {
      n = kExampleWidth;
      while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;  // Not inside a UTF-8 sequence.
    }
    std::string out = text::escape(std::string_view(v).substr(0, n));
    return n < v.size() ? out + "..." : out;
  };
  auto rows = ranked();
  size_t width = 3;
  for (const auto& [name, k] : rows) width = std::max(width, name->size());
  std::fprintf(out, "%-*s  %7s  %8s  %s\n", static_cast<int>(width), "KEY", "EVENTS", "DISTINCT", "EXAMPLES");
  for (const auto& [name, k] : rows) {
    std::string examples;
    for (const std::string& v : k->examples) examples += (examples.empty() ? "" : ", ") + cut(v);
    std::string distinct = std::to_string(k->distinct.size()) + (k->distinct.size() < kMaxDistinct ? "" : "+");
    std::fprintf(out, "%-*s  %7llu  %8s  %s\n", static_cast<int>(width), name->c_str(),
                 static_cast<unsigned long long>(k->events), distinct.c_str(), examples.c_str());
  }
}

}  // namespace cmrelay
