#include "report/diag.h"

#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>

#include "report/json_line.h"
#include "report/write_all.h"
#include "text/escape.h"

namespace cmrelay::diag {
namespace {

std::atomic<bool> g_json{false};

void put(std::string line) {
  line += '\n';
  std::fflush(stderr);  // Whatever stdio holds for stderr goes first.
  write_all(STDERR_FILENO, line);
}

// A line of its own kind in JSON; the text form otherwise.
void put(std::string_view kind, const LogFields& fields, const std::string& text) {
  put(g_json.load(std::memory_order_relaxed) ? json_line(kind, fields) : "cmrelay: " + text);
}

}  // namespace

void use_json(bool json) { g_json = json; }

void say(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  std::va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text;
  if (n > 0) {
    text.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(text.data(), static_cast<size_t>(n) + 1, format, again);
    text.resize(static_cast<size_t>(n));
  }
  va_end(again);
  if (!g_json.load(std::memory_order_relaxed)) return put("cmrelay: " + text);
  constexpr std::string_view kWarning = "warning: ";
  if (text.starts_with(kWarning)) return put(json_line("warning", {{"message", text.substr(kWarning.size())}}));
  put(json_line("message", {{"message", text}}));
}

std::string where(std::string_view source, uint64_t record) {
  return text::escape(source) + ':' + std::to_string(record);
}

void record(std::string_view source, uint64_t index, std::string_view reason) {
  const std::string why = text::escape(reason);
  put("body", {{"file", text::escape(source)}, {"record", std::to_string(index)}, {"reason", why}},
      where(source, index) + ": " + why);
}

void Warnings::once(std::string_view source, uint64_t index, const std::string& message) {
  if (quiet_ || said_.count(message) != 0 || said_.size() > kMaxDistinct) return;
  said_.insert(message);
  if (said_.size() > kMaxDistinct) {
    say("warning: %zu distinct warnings said; further ones are not reported", kMaxDistinct);
    return;
  }
  const std::string what = text::escape(message);
  put("warning", {{"file", text::escape(source)}, {"record", std::to_string(index)}, {"message", what}},
      "warning: " + where(source, index) + ": " + what);
}

}  // namespace cmrelay::diag
