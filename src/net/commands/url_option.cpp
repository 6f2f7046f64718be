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

bool read_file(const std::string& option, const std::string& path, std::string& value, std::string& why) {
  constexpr size_t kMax = size_t{64} * 1024;  // No URL is longer; a wrong file is not read whole.
  const std::string name = option + "-file " + text::escape(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = name + ": cannot read: " + std::strerror(errno);
    return false;
  }
  std::string text(kMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad() || text.size() > kMax) {
    why = name + (in.bad() ? ": cannot read" : ": longer than 64 KiB: not a URL");
    return false;
  }
  value = text::trim(text);
  if (value.empty()) {
    why = name + " is empty";
  } else if (value.find_first_of("\r\n") != std::string::npos) {
    why = name + " holds more than one line (it holds one URL)";
  }
  return why.empty();
}

}  // namespace

bool resolve_secret(const std::string& option, const std::string& file, const std::string& env, std::string& value,
                    std::string& why) {
  if (!file.empty()) return read_file(option, file, value, why);
  if (!env.empty()) {
    const char* v = std::getenv(env.c_str());
    value = v == nullptr ? "" : std::string(text::trim(v));
    if (value.empty()) why = option + "-env " + text::escape(env) + ": the variable is " + (v ? "empty" : "not set");
    return why.empty();
  }
  return true;
}

bool resolve_url(SendOptions& o, std::string& why) {
  if (!resolve_secret("--url", o.url_file, o.url_env, o.url, why)) return false;
  if (o.url_file.empty() && o.url_env.empty() && !o.url.empty() && redact_url(o.url) != o.url && !o.read.quiet) {
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
