// --cacert checked before anything is sent: a file libcurl would accept and then fail every
// TLS handshake with (an empty file, a key, a DER blob, the wrong file) is a usage error, not
// a run that dead-letters every event.
#pragma once

#include <string>

namespace cmrelay::deliver {

// True when path is a readable file holding at least one PEM certificate block (BEGIN/END
// CERTIFICATE, X509 CERTIFICATE or TRUSTED CERTIFICATE, base64 between them). Else why not.
bool check_ca_file(const std::string& path, std::string& why);

}  // namespace cmrelay::deliver
