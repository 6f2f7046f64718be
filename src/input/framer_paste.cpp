// Pasted bodies: what documentation and chat pastes do to a form body. Both shapes are read
// as one body only where that is unambiguous: a "Content-Type:" line is never a body of any
// format, and a line starting with '&' is never a form body of its own.
#include <cstring>

#include "input/framer.h"
#include "text/ascii.h"

namespace cmrelay {
namespace {

constexpr std::string_view kContentType = "content-type:";

bool starts_with_header(const char* p, size_t n) { return text::istarts_with(std::string_view(p, n), kContentType); }

using text::trim;

}  // namespace

size_t Framer::pasted_header(Record& rec) {
  if (!ensure(kContentType.size()) && avail() < kContentType.size()) return 0;
  if (!starts_with_header(buf_.data() + pos_, avail())) return 0;
  size_t eol = 0, blank = 0;
  if (find_eol(0, kMaxHeaderBytes, eol) != Line::Found) return 0;
  // The header line must be followed by a blank line, as in the pastes; anything else is
  // left to the usual framing (and its precise error).
  if (find_eol(eol + 1, kMaxHeaderBytes, blank) == Line::TooLong) return 0;
  if (!trim(view(eol + 1, blank)).empty()) return 0;
  rec.content_type = std::string(trim(view(kContentType.size(), eol)));
  const size_t header = blank < avail() ? blank + 1 : blank;
  pos_ += header;
  return header;
}

size_t Framer::join_form_lines(size_t eol) {
  // Joined lines never hold more than --max-body in the buffer: past it the caller reports
  // the body as too large.
  while (eol < max_body_) {
    // The next line starts with '&' (no blank line between): it continues this form.
    if (!ensure(eol + 2) || buf_[pos_ + eol + 1] != '&') return eol;
    size_t next = 0;
    const Line l = find_eol(eol + 1, max_body_ - eol, next);
    eol = next;
    if (l != Line::Found) return eol;
  }
  return eol;
}

uint64_t Framer::skip_form_lines(bool mid_line) {
  uint64_t skipped = 0;
  while (mid_line || (ensure(1) && buf_[pos_] == '&')) {
    mid_line = false;
    for (;;) {  // One line, however long, without holding it.
      const void* nl = std::memchr(buf_.data() + pos_, '\n', avail());
      if (nl != nullptr) {
        const size_t n = static_cast<size_t>(static_cast<const char*>(nl) - (buf_.data() + pos_)) + 1;
        pos_ += n;
        skipped += n;
        break;
      }
      skipped += avail();
      pos_ = end_;
      if (!fill()) return skipped;
    }
  }
  return skipped;
}

size_t Framer::squeeze_form_lines(size_t body_end) {
  char* p = buf_.data() + pos_;
  if (std::memchr(p, '\n', body_end) == nullptr) return body_end;
  size_t out = 0;
  for (size_t i = 0; i < body_end; ++i) {
    if (p[i] == '\r' || p[i] == '\n') continue;  // Only line breaks before an '&' get here.
    p[out++] = p[i];
  }
  return out;
}

}  // namespace cmrelay
