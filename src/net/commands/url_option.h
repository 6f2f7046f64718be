// The ad-hoc channel of send and serve: its URL, from --url, --url-file or --url-env, and its
// --rate. A URL holds the integration key: on the command line `ps` shows it to every user for
// the whole run, so the file and the environment variable are the ways to give one that keep
// it private. The URL is held to the one rule of every channel URL (route/channel.h).
#pragma once

#include <string>
#include <vector>

#include "net/commands/options.h"
#include "route/route.h"

namespace cmrelay::cli {

// Sets o.url from --url-file (the file's one line, surrounding blanks trimmed) or --url-env
// (the variable's value). False with why set (never holding the URL) when the file cannot
// be read, is empty or holds more than one line, or the variable is unset or empty. Warns
// on stderr when --url itself holds a secret (see text/url_redact.h).
bool resolve_url(SendOptions& o, std::string& why);

// --rate (send and serve): only with a URL channel (with_url), and N/UNIT,... or none.
// Fills rates; else false with why set (the whole message, naming --rate).
bool check_rate_option(const std::string& rate, bool with_url, std::vector<Rate>& rates, std::string& why);

}  // namespace cmrelay::cli
