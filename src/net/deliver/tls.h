// Whether TLS can verify any server at all: libcurl here reads only its built-in CA bundle
// and CA directory (Debian: /etc/ssl/certs/ca-certificates.crt and /etc/ssl/certs; it
// ignores SSL_CERT_FILE, SSL_CERT_DIR and CURL_CA_BUNDLE). On a machine without the
// ca-certificates package every HTTPS request would fail alike, so send says it once at
// start-up instead of dead-lettering every event.
#pragma once

#include <string>

namespace cmrelay::deliver {

// Empty when libcurl's default CA certificates are usable; else what is missing
// ("/etc/ssl/certs/ca-certificates.crt: No such file or directory").
std::string default_ca_problem();

}  // namespace cmrelay::deliver
