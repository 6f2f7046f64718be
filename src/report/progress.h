// A single refreshing status line on a terminal's standard error, drawn with the
// terminal's own capabilities from terminfo (carriage return, clear to end of line), so
// that it works on whatever TERM says and stays off where it cannot: when standard error is
// not a terminal (a file, a pipe, a cron mail), or the terminal cannot clear a line.
#pragma once

#include <string>

namespace cmrelay {

class ProgressLine {
 public:
  // wanted false: never active (--quiet).
  explicit ProgressLine(bool wanted = true);
  ~ProgressLine();  // Clears the line.
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool active() const { return active_; }
  // Replaces the line with text (cut to the terminal's width).
  void show(const std::string& text);
  // Erases it, so that another line can be written; the next show() draws it again.
  void clear();

 private:
  bool active_ = false;
  bool shown_ = false;
  std::string cr_, el_;  // The terminal's carriage return and clear-to-end-of-line.
  int columns_ = 80;
};

}  // namespace cmrelay
