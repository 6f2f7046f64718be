#include "text/label_name.h"

#include <cstdint>
#include <cstdio>

#include "text/utf8.h"

namespace cmrelay {
namespace {

bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void append_label_name(std::string& out, std::string_view raw) {
  const size_t start = out.size();
  bool any = false;
  uint32_t cp = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (upper(c)) {
      // A word starts at an upper-case letter after a lower-case one or a digit, or at the
      // last capital of an acronym that a lower-case letter follows ("HTTPCode").
      bool boundary = i > 0 && (lower(raw[i - 1]) || digit(raw[i - 1]) ||
                                (upper(raw[i - 1]) && i + 1 < raw.size() && lower(raw[i + 1])));
      if (boundary && out.size() > start && out.back() != '_') out += '_';
      out += static_cast<char>(c - 'A' + 'a');
      any = true;
    } else if (lower(c) || digit(c)) {
      if (digit(c) && out.size() == start && start == 0) out += '_';  // Cannot start with one.
      out += c;
      any = true;
    } else if (const size_t len = static_cast<unsigned char>(c) >= 0x80 ? utf8::decode(raw, i, cp) : 0; len > 0) {
      // Label names are ASCII (Prometheus style): a character beyond it is its own word,
      // "u" and its code point in hex, so the original stays recoverable and distinct.
      char word[16];
      std::snprintf(word, sizeof word, "u%04x", static_cast<unsigned>(cp));
      if (out.size() > start && out.back() != '_') out += '_';
      out += word;
      out += '_';
      i += len - 1;
      any = true;
    } else if (out.size() > start && out.back() != '_') {
      out += '_';
    }
  }
  while (out.size() > start && out.back() == '_') out.pop_back();
  if (!any) {
    uint32_t h = 2166136261u;  // FNV-1a: stable across runs and machines.
    for (unsigned char c : raw) h = (h ^ c) * 16777619u;
    char buf[16];
    std::snprintf(buf, sizeof buf, "key_%08x", h);
    out.resize(start);
    out += buf;
  }
}

}  // namespace cmrelay
