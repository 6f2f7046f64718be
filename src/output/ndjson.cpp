#include "output/ndjson.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/writer.h>

namespace cmrelay {
namespace {

constexpr size_t kFlushAt = 1u << 20;

template <class Writer>
void write_event(Writer& w, const Event& e, const std::vector<std::string>* channels) {
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("event_status");
  str(status_name(e.status));
  w.Key("title_rule");
  str(e.title);
  w.Key("alert_key");
  str(e.alert_key);
  w.Key("description");
  str(e.description);
  w.Key("labels");
  w.StartObject();
  for (const Label& l : e.labels) {
    w.Key(l.key.data(), static_cast<rapidjson::SizeType>(l.key.size()));
    str(l.value);
  }
  w.EndObject();
  if (e.event_time != 0) {
    w.Key("event_time");
    w.Int64(e.event_time);
  }
  if (channels != nullptr) {
    w.Key("channels");
    w.StartArray();
    for (const std::string& c : *channels) str(c);
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

void append_event_json(const Event& e, rapidjson::StringBuffer& out, bool pretty,
                       const std::vector<std::string>* channels) {
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
    w.SetIndent(' ', 2);
    write_event(w, e, channels);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    write_event(w, e, channels);
  }
}

NdjsonWriter::NdjsonWriter(std::FILE* out, bool pretty) : out_(out), pretty_(pretty) {}

NdjsonWriter::~NdjsonWriter() { flush(); }

void NdjsonWriter::write(const Event& e, const std::vector<std::string>* channels) {
  append_event_json(e, buf_, pretty_, channels);
  buf_.Put('\n');
  if (buf_.GetSize() >= kFlushAt) flush();
}

void NdjsonWriter::write_line(std::string_view line) {
  for (char c : line) buf_.Put(c);
  buf_.Put('\n');
  if (buf_.GetSize() >= kFlushAt) flush();
}

bool NdjsonWriter::flush() {
  bool ok = true;
  if (buf_.GetSize() > 0) {
    ok = std::fwrite(buf_.GetString(), 1, buf_.GetSize(), out_) == buf_.GetSize();
    buf_.Clear();
  }
  return std::fflush(out_) == 0 && ok;
}

}  // namespace cmrelay
