#include "net/serve/seen.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include "text/hash.h"

namespace cmrelay::serve {

std::string dedup_key(std::string_view trace_id, std::string_view body) {
  if (!trace_id.empty()) return "trace:" + std::string(trace_id);
  return "body:" + text::fnv1a64_hex(body) + ":" + std::to_string(body.size());
}

Seen::~Seen() {
  if (file_ != nullptr) std::fclose(file_);
}

bool Seen::open(const std::string& path, int64_t window_seconds, std::string& error) {
  path_ = path;
  window_ = window_seconds;
  std::ifstream in(path);
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (std::string line; std::getline(in, line);) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    int64_t t = std::strtoll(line.c_str(), nullptr, 10);
    if (t > 0 && now - t <= window_) keys_[line.substr(sp + 1)] = t;
  }
  rewrite();
  if (file_ == nullptr) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  return true;
}

void Seen::rewrite() {
  if (file_ != nullptr) std::fclose(file_);
  std::string tmp = path_ + ".new";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);  // Like the spool's files.
  file_ = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
  if (file_ == nullptr) {
    if (fd >= 0) ::close(fd);
    return;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  since_rewrite_ = 0;
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (it->second != 0 && now - it->second > window_) {
      it = keys_.erase(it);
      continue;
    }
    if (it->second != 0) {
      std::fprintf(file_, "%lld %s\n", static_cast<long long>(it->second), it->first.c_str());
    }
    ++it;
  }
  std::fflush(file_);
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

bool Seen::check_and_begin(const std::string& key) {
  auto [it, added] = keys_.emplace(key, 0);
  if (!added && it->second != 0 && static_cast<int64_t>(std::time(nullptr)) - it->second > window_) {
    it->second = 0;  // Finished long ago: a new delivery with the same key.
    return false;
  }
  return !added;
}

void Seen::finish(const std::string& key) {
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  keys_[key] = now;
  if (file_ == nullptr) return;
  std::fprintf(file_, "%lld %s\n", static_cast<long long>(now), key.c_str());
  std::fflush(file_);
  // Expired keys go at each rewrite: after as many finishes as there are keys, so memory
  // and the file stay in proportion to the window, at an amortised constant cost.
  if (++since_rewrite_ > std::max<size_t>(4096, keys_.size())) rewrite();
}

}  // namespace cmrelay::serve
