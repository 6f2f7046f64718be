// Diagnostics: every line cmrelay writes on standard error about what it read or did, in
// the one shape a script can take apart:
//   cmrelay: MESSAGE                    a fatal error, or a summary or note of the run
//   cmrelay: FILE:RECORD: REASON        one body (its input and 1-based record number)
//   cmrelay: warning: FILE:RECORD: MESSAGE
// Whatever comes from input (file names, vendor values, header values) is escaped with
// text::escape, so that no input can write a line of its own or a terminal control. Each
// line is handed to stderr in one write, so that lines of two threads never mix.
// With use_json (serve --log-format json) every line is one JSON object instead
// (report/json_line.h): {"kind":"message","message":...}, {"kind":"warning",...} and, for a
// body, {"kind":"body","file":...,"record":"N","reason":...}.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace cmrelay::diag {

// "cmrelay: " + the printf-formatted text + "\n". The caller escapes what comes from input.
void say(const char* format, ...) __attribute__((format(printf, 1, 2)));

// Every line from now on as one JSON object (set once, before any thread starts).
void use_json(bool json);

// "FILE:RECORD", FILE escaped: how a line names one body.
std::string where(std::string_view source, uint64_t record);

// "cmrelay: FILE:RECORD: REASON", both escaped.
void record(std::string_view source, uint64_t index, std::string_view reason);

// The lines of one kind that --quiet and --max-errors bound: the first max are said, the
// rest only counted (and said as a count at the end, by the command).
class Budget {
 public:
  Budget(bool quiet, uint64_t max) : quiet_(quiet), max_(max) {}
  // True when one more line may be said; else it is counted as unsaid.
  bool take() {
    if (!quiet_ && taken_ < max_) {
      ++taken_;
      return true;
    }
    ++unsaid_;
    return false;
  }
  uint64_t unsaid() const { return unsaid_; }
  // True when the next take() would say its line (a line said before it may ask).
  bool open() const { return !quiet_ && taken_ < max_; }

 private:
  bool quiet_;
  uint64_t max_;
  uint64_t taken_ = 0;
  uint64_t unsaid_ = 0;
};

// "cmrelay: warning: FILE:RECORD: MESSAGE", each distinct message once per run (a thousand
// bodies with the same oddity make one line), none with --quiet. Warnings quote vendor
// values, so at most kMaxDistinct are remembered; then a line says further ones are not
// reported.
class Warnings {
 public:
  static constexpr size_t kMaxDistinct = 1000;
  explicit Warnings(bool quiet) : quiet_(quiet) {}
  void once(std::string_view source, uint64_t index, const std::string& message);

 private:
  bool quiet_;
  std::set<std::string> said_;
};

}  // namespace cmrelay::diag
