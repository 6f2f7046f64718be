#include "output/ndjson.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <rapidjson/prettywriter.h>

namespace cmrelay {
namespace {

constexpr size_t kFlushAt = 1u << 20;

template <class Writer>
void write_event(Writer& w, const Event& e, const std::vector<std::string>* channels) {
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("event_status");
  str(status_name(e.status));
  w.Key("title_rule");
  str(e.title);
  w.Key("alert_key");
  str(e.alert_key);
  w.Key("description");
  str(e.description);
  w.Key("labels");
  w.StartObject();
  for (const Label& l : e.labels) {
    w.Key(l.key.data(), static_cast<rapidjson::SizeType>(l.key.size()));
    str(l.value);
  }
  w.EndObject();
  if (!e.images.empty()) {
    w.Key("images");
    w.StartArray();
    for (const Image& i : e.images) {
      w.StartObject();
      for (auto [key, value] : {std::pair{"src", &i.src}, std::pair{"href", &i.href}, std::pair{"alt", &i.alt}}) {
        if (value->empty()) continue;
        w.Key(key);
        str(*value);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (e.event_time != 0) {
    w.Key("event_time");
    w.Int64(e.event_time);
  }
  if (channels != nullptr) {
    w.Key("channels");
    w.StartArray();
    for (const std::string& c : *channels) str(c);
    w.EndArray();
  }
  w.EndObject();
}

// The compact form, written straight into the buffer: byte for byte what RapidJSON's Writer
// gives (the same escapes: \" \\ \b \f \n \r \t, other control bytes as \u00XX, nothing
// else), without its per-byte calls.
class CompactOut {
 public:
  explicit CompactOut(rapidjson::StringBuffer& out) : out_(out) {}

  void raw(std::string_view s) { std::memcpy(out_.Push(s.size()), s.data(), s.size()); }
  void put(char c) { out_.Put(c); }
  void string(std::string_view s) {
    // Room for the worst case (every byte \u00XX) and for the tail's 16-byte store, the unused
    // part handed back at the end.
    const size_t n = s.size();
    const size_t room = n * 6 + 2 + 16;
    char* const start = out_.Push(room);
    char* o = start;
    const char* p = s.data();
    size_t i = 0;
    *o++ = '"';
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control_max = _mm_set1_epi8(0x1F);
    auto specials = [&](__m128i v) {  // A bit per byte that needs an escape.
      return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                            _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max)));
    };
    while (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);  // Within room: o <= start + 6 * i + 1.
      const int mask = specials(v);
      if (mask == 0) {
        i += 16;
        o += 16;
        continue;
      }
      const auto k = static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
      i += k;
      o += k;
      o = escape(o, static_cast<unsigned char>(p[i++]));
    }
    if (i < n) {
      // The tail (most labels are shorter than 16 bytes): one test. Its bytes are loaded as
      // two words that overlap (never past s's end), and stored the same way. A copy into a
      // zeroed block instead made the test wait for that copy to reach memory (a store
      // forwarding stall on every string).
      const size_t k = n - i;
      const char* t = p + i;
      uint64_t lo = 0, hi = 0;
      int valid = 0;  // The mask's bits that are tail bytes.
      if (k >= 8) {
        std::memcpy(&lo, t, 8);
        std::memcpy(&hi, t + k - 8, 8);
        valid = 0xFFFF;
      } else if (k >= 4) {
        uint32_t a = 0, b = 0;
        std::memcpy(&a, t, 4);
        std::memcpy(&b, t + k - 4, 4);
        lo = a;
        hi = b;
        valid = 0x0F0F;
      } else {
        lo = static_cast<unsigned char>(t[0]) | static_cast<uint64_t>(static_cast<unsigned char>(t[k / 2])) << 8 |
             static_cast<uint64_t>(static_cast<unsigned char>(t[k - 1])) << 16;
        valid = 0x7;
      }
      const __m128i v = _mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(lo));
      if ((specials(v) & valid) == 0) {
        if (k >= 8) {
          std::memcpy(o, &lo, 8);
          std::memcpy(o + k - 8, &hi, 8);
        } else if (k >= 4) {
          std::memcpy(o, &lo, 4);
          const auto b = static_cast<uint32_t>(hi);
          std::memcpy(o + k - 4, &b, 4);
        } else {
          o[0] = t[0];
          o[k / 2] = t[k / 2];
          o[k - 1] = t[k - 1];
        }
        o += k;
        i = n;
      }
    }
#endif
    for (; i < n; ++i) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (needs_escape(c))
        o = escape(o, c);
      else
        *o++ = static_cast<char>(c);
    }
    *o++ = '"';
    out_.Pop(room - static_cast<size_t>(o - start));
  }

 private:
  static bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }
  static char* escape(char* o, unsigned char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    *o++ = '\\';
    switch (c) {
      case '"':
        *o++ = '"';
        break;
      case '\\':
        *o++ = '\\';
        break;
      case '\b':
        *o++ = 'b';
        break;
      case '\f':
        *o++ = 'f';
        break;
      case '\n':
        *o++ = 'n';
        break;
      case '\r':
        *o++ = 'r';
        break;
      case '\t':
        *o++ = 't';
        break;
      default:
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = kHex[c >> 4];
        *o++ = kHex[c & 0xF];
    }
    return o;
  }
  rapidjson::StringBuffer& out_;
};

void write_compact(const Event& e, rapidjson::StringBuffer& buf, const std::vector<std::string>* channels) {
  CompactOut w(buf);
  w.raw("{\"event_status\":");
  w.string(status_name(e.status));
  w.raw(",\"title_rule\":");
  w.string(e.title);
  w.raw(",\"alert_key\":");
  w.string(e.alert_key);
  w.raw(",\"description\":");
  w.string(e.description);
  w.raw(",\"labels\":{");
  bool first = true;
  for (const Label& l : e.labels) {
    if (!first) w.put(',');
    first = false;
    w.string(l.key);
    w.put(':');
    w.string(l.value);
  }
  w.put('}');
  if (!e.images.empty()) {
    w.raw(",\"images\":[");
    for (size_t n = 0; n < e.images.size(); ++n) {
      const Image& i = e.images[n];
      w.raw(n == 0 ? "{" : ",{");
      bool any = false;
      for (auto [key, value] :
           {std::pair{"\"src\":", &i.src}, std::pair{"\"href\":", &i.href}, std::pair{"\"alt\":", &i.alt}}) {
        if (value->empty()) continue;
        if (any) w.put(',');
        any = true;
        w.raw(key);
        w.string(*value);
      }
      w.put('}');
    }
    w.put(']');
  }
  if (e.event_time != 0) {
    w.raw(",\"event_time\":");
    char digits[24];
    auto r = std::to_chars(digits, digits + sizeof digits, e.event_time);
    w.raw(std::string_view(digits, static_cast<size_t>(r.ptr - digits)));
  }
  if (channels != nullptr) {
    w.raw(",\"channels\":[");
    first = true;
    for (const std::string& c : *channels) {
      if (!first) w.put(',');
      first = false;
      w.string(c);
    }
    w.put(']');
  }
  w.put('}');
}

}  // namespace

void append_event_json(const Event& e, rapidjson::StringBuffer& out, bool pretty,
                       const std::vector<std::string>* channels) {
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
    w.SetIndent(' ', 2);
    write_event(w, e, channels);
  } else {
    write_compact(e, out, channels);
  }
}

NdjsonWriter::NdjsonWriter(std::FILE* out, bool pretty) : out_(out), pretty_(pretty) {}

NdjsonWriter::~NdjsonWriter() { flush(); }

void NdjsonWriter::write(const Event& e, const std::vector<std::string>* channels) {
  append_event_json(e, buf_, pretty_, channels);
  buf_.Put('\n');
  if (buf_.GetSize() >= kFlushAt) flush();
}

void NdjsonWriter::write_line(std::string_view line) {
  std::memcpy(buf_.Push(line.size()), line.data(), line.size());
  buf_.Put('\n');
  if (buf_.GetSize() >= kFlushAt) flush();
}

void NdjsonWriter::write_raw(std::string_view bytes) {
  if (bytes.empty()) return;  // A chunk with no events: its data() may be null.
  if (bytes.size() >= kFlushAt / 4) {
    // A chunk's output (--jobs): to the stream as it is, not copied into the buffer first.
    if (buf_.GetSize() > 0) flush();
    failed_ |= std::fwrite(bytes.data(), 1, bytes.size(), out_) != bytes.size();
    return;
  }
  std::memcpy(buf_.Push(bytes.size()), bytes.data(), bytes.size());
  if (buf_.GetSize() >= kFlushAt) flush();
}

bool NdjsonWriter::flush() {
  bool ok = true;
  if (buf_.GetSize() > 0) {
    ok = std::fwrite(buf_.GetString(), 1, buf_.GetSize(), out_) == buf_.GetSize();
    buf_.Clear();
  }
  failed_ |= !(std::fflush(out_) == 0 && ok);
  return !failed_;
}

}  // namespace cmrelay
