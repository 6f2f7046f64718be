// cmrelay serve's log: one line per request and per delivery attempt, on stderr (journald
// under systemd). Text "cmrelay: serve: key=value ..." by default, or one JSON object per
// line. Values are written as given: callers pass only redacted text (no token, no URL
// secret); control characters are escaped in both forms.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmrelay::serve {

using LogFields = std::vector<std::pair<std::string_view, std::string>>;

class Log {
 public:
  explicit Log(bool json) : json_(json) {}
  // kind: "request", "attempt", "event", "duplicate", "rejected", "smn", "spool", "start",
  // "reload", "stop", "stopped".
  void write(std::string_view kind, const LogFields& fields) const;
  // The line write() would print (without the newline).
  std::string format(std::string_view kind, const LogFields& fields) const;

 private:
  bool json_;
};

}  // namespace cmrelay::serve
