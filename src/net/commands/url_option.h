// Options whose value may hold a secret, and the ad-hoc channel of send and serve. A URL
// holds the integration key, --shared a Redis password: on the command line `ps` shows it to
// every user for the whole run, so OPTION-file FILE and OPTION-env NAME are the ways to give
// one that keep it private (one rule for all of them, resolve_secret). The channel URL is
// held to the one rule of every channel URL (route/channel.h); its --rate is checked here.
#pragma once

#include <string>
#include <vector>

#include "net/commands/options.h"
#include "route/route.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace cmrelay::cli {

// Sets url from --url-file (the file's one line, surrounding blanks trimmed) or --url-env
// (the variable's value), for command (send, serve). False with why set (never holding the
// URL) when the file cannot be read, is empty or holds more than one line, or the variable is
// unset or empty. Unless quiet, warns on stderr when --url itself holds a secret (see
// text/url_redact.h).
bool resolve_url(std::string& url, const std::string& url_file, const std::string& url_env, const char* command,
                 bool quiet, std::string& why);

// --url, --url-file and --url-env (send and serve), each excluding the others and routes.
void add_url_options(CLI::App& cmd, CLI::Option* routes, std::string& url, std::string& url_file, std::string& url_env);

// The same rule for any such option: value from file (its one line, surrounding blanks
// trimmed) or from the environment variable env; untouched when both are empty. False with
// why set (naming option-file or option-env, never holding the value) as above.
bool resolve_secret(const std::string& option, const std::string& file, const std::string& env, std::string& value,
                    std::string& why);

// --rate (send and serve): only with a URL channel (with_url), and N/UNIT,... or none.
// Fills rates; else false with why set (the whole message, naming --rate).
bool check_rate_option(const std::string& rate, bool with_url, std::vector<Rate>& rates, std::string& why);

}  // namespace cmrelay::cli
