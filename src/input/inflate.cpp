#include "input/inflate.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "text/ascii.h"

namespace cmrelay {
namespace {

constexpr size_t kStep = 64u << 10;  // Output grows by this much at most per inflate() call.

// RFC 9110 calls it deflate, and means the zlib format; some senders use raw deflate. A zlib
// stream opens with a header whose first two bytes are a multiple of 31, method 8.
int deflate_window_bits(std::string_view in) {
  if (in.size() >= 2) {
    const unsigned b0 = static_cast<unsigned char>(in[0]), b1 = static_cast<unsigned char>(in[1]);
    if ((b0 & 0x0f) == 8 && (b0 * 256 + b1) % 31 == 0) return 15;
  }
  return -15;
}

// Owns a z_stream for one body; inflateEnd() on every path.
struct Inflater {
  z_stream z{};
  bool ok = false;
  explicit Inflater(int window_bits) { ok = inflateInit2(&z, window_bits) == Z_OK; }
  ~Inflater() {
    if (ok) inflateEnd(&z);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

}  // namespace

bool parse_coding(std::string_view value, Coding& coding, std::string& error) {
  coding = Coding::Identity;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string one = text::to_lower(text::trim(value.substr(0, comma)));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (one.empty() || one == "identity") continue;
    Coding c;
    if (one == "gzip" || one == "x-gzip") {
      c = Coding::Gzip;
    } else if (one == "deflate") {
      c = Coding::Deflate;
    } else {
      error = "Content-Encoding '" + one + "' is not supported (only gzip and deflate)";
      return false;
    }
    if (coding != Coding::Identity) {
      error = "more than one Content-Encoding is not supported";
      return false;
    }
    coding = c;
  }
  return true;
}

bool inflate_body(std::string_view in, Coding coding, size_t limit, std::string& out, std::string& error) {
  out.clear();
  if (coding == Coding::Identity) {
    out.assign(in);
    return true;
  }
  const char* name = coding == Coding::Gzip ? "gzip" : "deflate";
  Inflater inf(coding == Coding::Gzip ? 16 + MAX_WBITS : deflate_window_bits(in));
  if (!inf.ok) {
    error = std::string(name) + ": zlib cannot start";
    return false;
  }
  z_stream& z = inf.z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT_MAX));
  size_t fed = z.avail_in;
  for (;;) {
    // One byte past the limit tells "exactly the limit" from "more".
    const size_t room = std::min(kStep, limit + 1 - out.size());
    const size_t had = out.size();
    // Reserved once: address space only, touched as it fills. Growing by doubling would hold
    // one and a half times the limit at the moment of a copy.
    if (out.capacity() < had + room) out.reserve(limit + 1);
    out.resize(had + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + had);
    z.avail_out = static_cast<uInt>(room);
    const int rc = ::inflate(&z, Z_NO_FLUSH);
    out.resize(had + room - z.avail_out);
    if (out.size() > limit) {
      out.clear();
      error =
          std::string(name) + " body decodes to more than the " + std::to_string(limit) + "-byte limit (--max-body)";
      return false;
    }
    if (z.avail_in == 0 && fed < in.size()) {
      const size_t more = std::min<size_t>(in.size() - fed, UINT_MAX);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + fed));
      z.avail_in = static_cast<uInt>(more);
      fed += more;
    }
    if (rc == Z_STREAM_END) {
      const bool rest = z.avail_in > 0 || fed < in.size();
      // gzip files may hold several members one after another (cat a.gz b.gz).
      if (rest && coding == Coding::Gzip && inflateReset(&z) == Z_OK) continue;
      if (!rest) return true;
      error = std::string(name) + ": bytes after the end of the compressed data";
      break;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && z.avail_out > 0) {
      error = std::string(name) + ": the compressed data is truncated";
      break;
    }
    if (rc == Z_BUF_ERROR) continue;
    error = std::string(name) + ": invalid compressed data" + (z.msg != nullptr ? std::string(" (") + z.msg + ")" : "");
    break;
  }
  out.clear();
  return false;
}

}  // namespace cmrelay
