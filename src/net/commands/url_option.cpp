#include "net/commands/url_option.h"

#include <CLI/CLI.hpp>
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

bool resolve_url(std::string& url, const std::string& url_file, const std::string& url_env, const char* command,
                 bool quiet, std::string& why) {
  if (!resolve_secret("--url", url_file, url_env, url, why)) return false;
  if (url_file.empty() && url_env.empty() && !url.empty() && redact_url(url) != url && !quiet) {
    diag::say(
        "warning: --url holds a secret that any user can read with ps while %s runs; "
        "give it with --url-file FILE or --url-env NAME",
        command);
  }
  return true;
}

void add_url_options(CLI::App& cmd, CLI::Option* routes, std::string& url, std::string& url_file,
                     std::string& url_env) {
  CLI::Option* given = cmd.add_option("--url", url,
                                      "POST every event to URL (one ad-hoc channel named 'url'; http or https, port "
                                      "1-65535); ps shows it: prefer --url-file or --url-env when it holds a key")
                           ->type_name("URL")
                           ->excludes(routes);
  CLI::Option* file = cmd.add_option("--url-file", url_file, "Like --url, the URL read from FILE (its one line)")
                          ->type_name("FILE")
                          ->excludes(routes, given);
  cmd.add_option("--url-env", url_env, "Like --url, the URL read from the environment variable NAME")
      ->type_name("NAME")
      ->excludes(routes, given, file);
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
