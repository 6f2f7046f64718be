// send's ad-hoc channel URL, from --url, --url-file or --url-env. A URL holds the
// integration key: on the command line `ps` shows it to every user for the whole run, so
// the file and the environment variable are the ways to give one that keep it private.
#pragma once

#include <string>

#include "net/commands/options.h"

namespace cmrelay::cli {

// Sets o.url from --url-file (the file's one line, surrounding blanks trimmed) or --url-env
// (the variable's value). False with why set (never holding the URL) when the file cannot
// be read, is empty or holds more than one line, or the variable is unset or empty. Warns
// on stderr when --url itself holds a secret (see text/url_redact.h).
bool resolve_url(SendOptions& o, std::string& why);

}  // namespace cmrelay::cli
