// Options whose value may hold a secret (send's ad-hoc channel URL holds the integration
// key, --shared a Redis password): on the command line `ps` shows it to every user for the
// whole run, so OPTION-file FILE and OPTION-env NAME are the ways to give one that keep it
// private. One rule for all of them.
#pragma once

#include <string>

#include "net/commands/options.h"

namespace cmrelay::cli {

// Sets o.url from --url-file (the file's one line, surrounding blanks trimmed) or --url-env
// (the variable's value). False with why set (never holding the URL) when the file cannot
// be read, is empty or holds more than one line, or the variable is unset or empty. Warns
// on stderr when --url itself holds a secret (see text/url_redact.h).
bool resolve_url(SendOptions& o, std::string& why);

// The same rule for any such option: value from file (its one line, surrounding blanks
// trimmed) or from the environment variable env; untouched when both are empty. False with
// why set (naming option-file or option-env, never holding the value) as above.
bool resolve_secret(const std::string& option, const std::string& file, const std::string& env, std::string& value,
                    std::string& why);

}  // namespace cmrelay::cli
