// Vendor retries of one delivery, recognised so that they are delivered once. A request's
// key is its x-volc-trace-id (the same across Volcengine's retries) or, without one, a
// 64-bit FNV-1a hash of its body (Alibaba resends the same body). Keys of requests already
// finished are kept in a hidden file in the spool (one "UNIXSECONDS KEY" line each), so a
// retry arriving after a restart is recognised too; entries older than the window are
// dropped when the file is rewritten (at open, and after as many finishes as it holds keys).
// Only finished requests are written: a request still in the spool after a crash is
// never taken for a duplicate of itself.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cmrelay::serve {

std::string dedup_key(std::string_view trace_id, std::string_view body);

class Seen {
 public:
  ~Seen();
  // Loads path (missing is fine). False with error set when it cannot be written.
  bool open(const std::string& path, int64_t window_seconds, std::string& error);
  // True when key was taken before (finished, or begun this run); else remembers it as begun.
  bool check_and_begin(const std::string& key);
  // The request finished: its key is written down. Not fsynced: losing it in a crash costs
  // at most one duplicate delivery, never an event.
  void finish(const std::string& key);
  size_t size() const { return keys_.size(); }

 private:
  void rewrite();
  std::string path_;
  int64_t window_ = 0;
  std::FILE* file_ = nullptr;
  size_t since_rewrite_ = 0;                       // Finishes written since the file was last rewritten.
  std::unordered_map<std::string, int64_t> keys_;  // key -> when finished (0: begun).
};

}  // namespace cmrelay::serve
