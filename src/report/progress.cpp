#include "report/progress.h"

#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#include "report/write_all.h"

namespace cmrelay {
namespace {

std::string* g_expanding = nullptr;  // Where tputs() puts its characters (one thread, at start-up).

int put_char(int c) {
  g_expanding->push_back(static_cast<char>(c));
  return c;
}

// A terminfo string capability with its padding applied by tputs(), or empty when the
// terminal has none.
std::string capability(const char* name) {
  char* s = tigetstr(name);
  if (s == nullptr || reinterpret_cast<std::intptr_t>(s) == -1) return {};  // -1: not a string capability.
  std::string out;
  g_expanding = &out;
  tputs(s, 1, put_char);
  g_expanding = nullptr;
  return out;
}

}  // namespace

ProgressLine::ProgressLine(bool wanted) {
  if (!wanted || ::isatty(STDERR_FILENO) != 1) return;
  int err = 0;
  if (setupterm(nullptr, STDERR_FILENO, &err) != 0) return;  // 0 is terminfo's OK.
  cr_ = capability("cr");
  el_ = capability("el");
  int cols = tigetnum("cols");
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) cols = ws.ws_col;
  if (cols > 1) columns_ = cols;
  active_ = !cr_.empty() && !el_.empty();
}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::show(const std::string& text) {
  if (!active_) return;
  std::fflush(stderr);
  // One column short of the width: a line that fills it would wrap on some terminals.
  std::string line = cr_ + text.substr(0, static_cast<size_t>(columns_ - 1)) + el_;
  write_all(STDERR_FILENO, line);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!active_ || !shown_) return;
  std::fflush(stderr);
  write_all(STDERR_FILENO, cr_ + el_);
  shown_ = false;
}

}  // namespace cmrelay
