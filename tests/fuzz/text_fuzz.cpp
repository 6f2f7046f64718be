// libFuzzer harness for the small text stages every decoder leans on: code-point truncation,
// escaping for diagnostics, label naming, alert_key building, the vendors' time forms and form unescaping. Each result
// is checked against what it promises (valid UTF-8 stays valid, limits hold, a parsed time
// formats back without fault).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harness.h"
#include "input/form.h"
#include "text/duration.h"
#include "text/escape.h"
#include "text/label_name.h"
#include "text/percent.h"
#include "text/utf8.h"
#include "vendors/common.h"
#include "vendors/times.h"

namespace {

[[noreturn]] void fail(const char* what) { cmrelay::fuzz::fail("text_fuzz", what); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cmrelay;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const bool was_valid = utf8::valid(in);

  for (size_t limit : {0ul, 1ul, 7ul, 128ul}) {
    std::string s(in);
    const bool cut = utf8::truncate(s, limit);
    if (cut && utf8::length(s) != limit) fail("truncate did not cut to the limit");
    if (!cut && s != in) fail("truncate changed a string it did not cut");
    if (was_valid && !utf8::valid(s)) fail("truncate broke valid UTF-8");
  }

  // Diagnostics escaping: always valid UTF-8 without a control character.
  const std::string escaped = text::escape(in);
  if (!utf8::valid(escaped)) fail("escape gave invalid UTF-8");
  for (char c : escaped) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) fail("escape left a control character");
  }
  if (escaped.find("\xe2\x80\xae") != std::string::npos) fail("escape left U+202E");

  std::string label = "p_";
  append_label_name(label, in);
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) fail("label name outside [a-z0-9_]");
  }

  std::string key;
  make_alert_key(key, "fuzz", {in, in.substr(0, size / 2)});
  if (key.size() > 255) fail("alert_key over 255 bytes");

  for (auto parsed : {times::parse_local_with_offset(in), times::parse_compact_iso(in)}) {
    if (parsed) {
      std::string text = times::format(*parsed);
      if (text.empty()) fail("a parsed time formats to nothing");
    }
  }

  std::string out;
  // Durations: any text is a duration within the bound, or refused with a reason.
  std::string why;
  if (auto d = text::parse_duration(in, why)) {
    if (d->count() < 0 || d->count() > text::kMaxDurationSeconds * 1000) fail("a duration outside its bounds");
  } else if (why.empty()) {
    fail("a duration refused without a reason");
  }
  for (text::Plus plus : {text::Plus::Space, text::Plus::Kept}) {
    text::percent_decode(in, out, plus);
    if (out.size() > in.size()) fail("percent-decoding grew the text");
  }
  form::decode(in, [&](std::string_view name, std::string_view value) {
    if (name.size() + value.size() > in.size()) fail("a form field longer than the body");
  });
  return 0;
}
