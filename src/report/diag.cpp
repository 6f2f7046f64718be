#include "report/diag.h"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>

#include "report/write_all.h"
#include "text/escape.h"

namespace cmrelay::diag {

void say(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  std::va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string line = "cmrelay: ";
  if (n > 0) {
    const size_t head = line.size();
    line.resize(head + static_cast<size_t>(n) + 1);
    std::vsnprintf(line.data() + head, static_cast<size_t>(n) + 1, format, again);
    line.resize(head + static_cast<size_t>(n));
  }
  va_end(again);
  line += '\n';
  std::fflush(stderr);  // Whatever stdio holds for stderr goes first.
  write_all(STDERR_FILENO, line);
}

std::string where(std::string_view source, uint64_t record) {
  return text::escape(source) + ':' + std::to_string(record);
}

void record(std::string_view source, uint64_t index, std::string_view reason) {
  say("%s: %s", where(source, index).c_str(), text::escape(reason).c_str());
}

void Warnings::once(std::string_view source, uint64_t index, const std::string& message) {
  if (quiet_ || said_.count(message) != 0 || said_.size() > kMaxDistinct) return;
  said_.insert(message);
  if (said_.size() > kMaxDistinct) {
    say("warning: %zu distinct warnings said; further ones are not reported", kMaxDistinct);
    return;
  }
  say("warning: %s: %s", where(source, index).c_str(), text::escape(message).c_str());
}

}  // namespace cmrelay::diag
