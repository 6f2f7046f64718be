// Writes a whole record to a file descriptor, for files opened with O_APPEND that several
// runs share (--reject, --dead-letter): each record is handed to one write(), so records
// from concurrent writers never interleave.
#pragma once

#include <string_view>

namespace cmrelay {

// Writes all of data, retrying after EINTR. False with errno set when it could not.
bool write_all(int fd, std::string_view data);

}  // namespace cmrelay
