#include "net/deliver/cacert.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

namespace cmrelay::deliver {
namespace {

constexpr size_t kMaxBundle = 64u << 20;  // Debian's whole bundle is ~200 KiB.

bool is_base64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=' || c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

// One "-----BEGIN <label>-----" ... "-----END <label>-----" block holding only base64.
bool has_block(std::string_view text, std::string_view label) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  for (size_t at = text.find(begin); at != std::string_view::npos; at = text.find(begin, at + 1)) {
    const size_t from = at + begin.size();
    const size_t to = text.find(end, from);
    if (to == std::string_view::npos) return false;
    const std::string_view inside = text.substr(from, to - from);
    if (std::all_of(inside.begin(), inside.end(), is_base64) &&
        inside.find_first_not_of(" \t\r\n=") != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool check_ca_file(const std::string& path, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  char chunk[1 << 16];
  errno = 0;
  while (in && text.size() <= kMaxBundle) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (!in && !in.eof()) {
    // A missing file fails to open; a directory opens, then fails to read.
    why = path + ": cannot read: " + std::strerror(errno != 0 ? errno : EIO);
    return false;
  }
  if (text.size() > kMaxBundle) {
    why = path + ": larger than 64 MiB: not a CA bundle";
    return false;
  }
  for (std::string_view label : {"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"}) {
    if (has_block(text, label)) return true;
  }
  why = path + ": holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  return false;
}

}  // namespace cmrelay::deliver
