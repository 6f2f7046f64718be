// Dead-letter records: one NDJSON line per event that ended undelivered, holding the event
// itself so that `cmrelay send` can replay the file (the `deadletter` input format).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "report/record_file.h"

namespace cmrelay::deliver {

struct DeadLetter {
  int64_t time = 0;          // Unix seconds when it was given up.
  std::string_view channel;  // Channel name.
  std::string_view url;      // Already redacted.
  int attempts = 0;
  long http_status = 0;         // Last HTTP status; 0 when none arrived.
  std::string_view error;       // Last HTTP status text or transport error, redacted.
  std::string_view error_code;  // Flashduty's error.code, when given.
  std::string_view error_message;
  std::string_view request_id;  // Flashduty's request_id of the last response, when given.
  std::string_view event_json;  // The Flashduty standard event exactly as it was POSTed.
};

// {"time":"2026-11-22T01:30:00Z","channel":...,"url":...,"attempts":3,"http_status":503,
//  "error":...,"error_code":...,"error_message":...,"request_id":...,"event":{...}}, ending
// in a newline. http_status, error_code, error_message and request_id are left out when absent.
std::string format_dead_letter(const DeadLetter& d);

// Where records go: a file appended to by the one record writer (output/record_file.h: each
// record one write(), so concurrent runs keep whole lines), or standard error when no file
// is named. A record the file does not take goes to standard error in full instead, so that
// it is never lost.
class DeadLetterFile {
 public:
  // Opens path for appending; an empty path means standard error. False with error set.
  bool open(const std::string& path, std::string& error);
  bool is_stderr() const { return !file_.is_open(); }
  const std::string& path() const { return file_.path(); }
  // Writes one whole record (ending in a newline) with one write(). False when the file
  // did not take all of it: then the reason and the whole record are written to stderr,
  // and the file is left line-clean (a short write's part is completed with a newline,
  // or, when not even that fits, truncated away).
  bool write(std::string_view record);

 private:
  RecordFile file_{"dead-letter file"};
};

}  // namespace cmrelay::deliver
