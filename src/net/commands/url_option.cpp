#include "net/commands/url_option.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "report/diag.h"
#include "text/ascii.h"
#include "text/escape.h"
#include "text/url_redact.h"

namespace cmrelay::cli {
namespace {

bool read_url_file(const std::string& path, std::string& url, std::string& why) {
  constexpr size_t kMaxUrl = size_t{64} * 1024;  // No URL is longer; a wrong file is not read whole.
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "--url-file " + text::escape(path) + ": cannot read: " + std::strerror(errno);
    return false;
  }
  std::string text(kMaxUrl + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad() || text.size() > kMaxUrl) {
    why = "--url-file " + text::escape(path) + (in.bad() ? ": cannot read" : ": longer than 64 KiB: not a URL");
    return false;
  }
  url = text::trim(text);
  if (url.empty()) {
    why = "--url-file " + text::escape(path) + " is empty";
  } else if (url.find_first_of("\r\n") != std::string::npos) {
    why = "--url-file " + text::escape(path) + " holds more than one line (it holds one URL)";
  }
  return why.empty();
}

}  // namespace

bool resolve_url(SendOptions& o, std::string& why) {
  if (!o.url_file.empty()) return read_url_file(o.url_file, o.url, why);
  if (!o.url_env.empty()) {
    const char* value = std::getenv(o.url_env.c_str());
    o.url = value == nullptr ? "" : std::string(text::trim(value));
    if (o.url.empty())
      why = "--url-env " + text::escape(o.url_env) + ": the variable is " + (value ? "empty" : "not set");
    return why.empty();
  }
  if (!o.url.empty() && redact_url(o.url) != o.url && !o.read.quiet) {
    diag::say(
        "warning: --url holds a secret that any user can read with ps while send runs; "
        "give it with --url-file FILE or --url-env NAME");
  }
  return true;
}

bool check_rate_option(const std::string& rate, bool with_url, std::vector<Rate>& rates, std::string& why) {
  if (!with_url) {
    why = "--rate goes with --url; in a route file, give each channel its rate: [100/s, 1000/m]";
    return false;
  }
  if (parse_rates(rate, rates, why)) return true;
  why = "--rate: " + why;
  return false;
}

}  // namespace cmrelay::cli
