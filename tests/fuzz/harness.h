// What the libFuzzer harnesses share.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace cmrelay::fuzz {

// A broken promise: said on stderr, then abort() so libFuzzer keeps the input as a crash.
[[noreturn]] inline void fail(const char* harness, const char* what) {
  std::fprintf(stderr, "%s: %s\n", harness, what);
  std::abort();
}

// The fuzz input as a real file descriptor (an in-memory file, positioned at its start), so
// harnesses read it exactly as cmrelay reads files and pipes. -1 when it cannot be made.
inline int memfd_with(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("fuzz-input", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    off += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace cmrelay::fuzz
