// Writes a whole record to a file descriptor, for files opened with O_APPEND that several
// runs share (--reject, --dead-letter): each record is handed to one write(), so records
// from concurrent writers never interleave.
#pragma once

#include <string_view>

namespace cmrelay {

// Writes all of data, retrying after EINTR. False with errno set when it could not.
bool write_all(int fd, std::string_view data);

// Appends one whole record (ending in a newline) with one write(), so that with O_APPEND
// concurrent writers never interleave inside it. False with errno set when the file did not
// take all of it; the file is then left line-clean: a short write's part is completed with a
// newline (a line a reader rejects, not one glued to the next record), or, when not even
// that fits, cut off again.
bool append_record(int fd, std::string_view record);

}  // namespace cmrelay
