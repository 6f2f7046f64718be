// Writes events as Flashduty standard event JSON: one line each (or indented), buffered.
#pragma once

#include <rapidjson/stringbuffer.h>

#include <cstdio>
#include <string>
#include <vector>

#include "event/event.h"

namespace cmrelay {

// Appends e's JSON to out: event_status, title_rule, alert_key, description, labels,
// event_time (when known), and channels when given. No trailing newline.
void append_event_json(const Event& e, rapidjson::StringBuffer& out, bool pretty = false,
                       const std::vector<std::string>* channels = nullptr);

class NdjsonWriter {
 public:
  NdjsonWriter(std::FILE* out, bool pretty);
  ~NdjsonWriter();
  void write(const Event& e, const std::vector<std::string>* channels = nullptr);
  // Writes a line as is (plus the newline).
  void write_line(std::string_view line);
  // Writes bytes already formatted (whole lines) as they are.
  void write_raw(std::string_view bytes);
  bool flush();  // False when the stream failed (EPIPE, disk full), now or before.
  bool failed() const { return failed_; }

 private:
  std::FILE* out_;
  bool pretty_;
  bool failed_ = false;
  rapidjson::StringBuffer buf_;
};

}  // namespace cmrelay
