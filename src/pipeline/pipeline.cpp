#include "pipeline/pipeline.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "event/limits.h"
#include "input/body.h"
#include "input/sources.h"
#include "output/write_all.h"
#include "text/base64.h"
#include "text/utf8.h"

namespace cmrelay {

Pipeline::Pipeline(PipelineOptions options) : options_(std::move(options)) {}

Pipeline::~Pipeline() {
  if (reject_fd_ >= 0) ::close(reject_fd_);
}

bool Pipeline::open(std::string& error) {
  if (options_.reject_path.empty()) return true;
  reject_fd_ = ::open(options_.reject_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (reject_fd_ < 0) {
    error = options_.reject_path + ": cannot open the reject file: " + std::strerror(errno);
    return false;
  }
  return true;
}

void Pipeline::warn_once(const Record& rec, const std::string& message) {
  if (options_.quiet) return;
  // Warnings quote vendor values; bound what is remembered of them.
  constexpr size_t kMaxDistinct = 1000;
  if (said_.count(message) != 0) return;
  if (said_.size() == kMaxDistinct) {
    said_.insert(message);
    std::fprintf(stderr, "cmrelay: warning: %zu distinct warnings said; further ones are not reported\n", kMaxDistinct);
    return;
  }
  if (said_.size() > kMaxDistinct) return;
  said_.insert(message);
  std::fprintf(stderr, "cmrelay: warning: %.*s:%llu: %s\n", static_cast<int>(rec.source.size()),
               rec.source.data(), static_cast<unsigned long long>(rec.index), message.c_str());
}

void Pipeline::reject(const Record& rec, std::string_view reason) {
  ++counts_.rejected;
  if (options_.quiet || counts_.rejected > options_.max_errors) {
    ++counts_.unsaid;
  } else {
    std::fprintf(stderr, "cmrelay: %.*s:%llu: %.*s\n", static_cast<int>(rec.source.size()), rec.source.data(),
                 static_cast<unsigned long long>(rec.index), static_cast<int>(reason.size()), reason.data());
  }
  if (reject_fd_ < 0) return;
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  // Bytes kept exactly: as a string when they are UTF-8, else base64 under KEY_base64.
  auto bytes = [&](const char* key, std::string_view s) {
    if (utf8::valid(s)) {
      w.Key(key);
      str(s);
    } else {
      w.Key((std::string(key) + "_base64").c_str());
      str(base64::encode(s));
    }
  };
  w.StartObject();
  bytes("source", rec.source);
  w.Key("record");
  w.Uint64(rec.index);
  w.Key("offset");
  w.Uint64(rec.offset);
  w.Key("length");
  w.Uint64(rec.length);
  w.Key("reason");
  str(utf8::valid(reason) ? reason : std::string_view("(reason not valid UTF-8)"));
  if (!rec.content_type.empty() && utf8::valid(rec.content_type)) {
    w.Key("content_type");
    str(rec.content_type);
  }
  bytes("body", rec.body);
  w.EndObject();
  sb.Put('\n');
  // One write per record: O_APPEND keeps concurrent runs' records whole.
  if (!write_all(reject_fd_, std::string_view(sb.GetString(), sb.GetSize()))) {
    std::fprintf(stderr, "cmrelay: %s: cannot write the reject file: %s\n", options_.reject_path.c_str(),
                 std::strerror(errno));
  }
}

void Pipeline::run(const std::vector<std::string>& paths, const OnBody& on_body, const std::atomic<bool>* stop) {
  std::vector<std::string> errors;
  std::vector<std::string> inputs = expand_inputs(paths, errors);
  for (const std::string& e : errors) {
    ++counts_.unreadable;
    std::fprintf(stderr, "cmrelay: %s\n", e.c_str());
  }
  for (const std::string& path : inputs) {
    if (stop && stop->load()) return;
    if (path == "-") {
      read_source(STDIN_FILENO, kStdinName, on_body, stop);
      continue;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ++counts_.unreadable;
      std::fprintf(stderr, "cmrelay: %s: cannot read: %s\n", path.c_str(), std::strerror(errno));
      continue;
    }
    read_source(fd, path, on_body, stop);
    ::close(fd);
  }
}

void Pipeline::read_source(int fd, const std::string& name, const OnBody& on_body, const std::atomic<bool>* stop) {
  Framer framer(fd, name, options_.max_body, stop);
  if (idle_) framer.on_idle(idle_);
  BodyReader reader;
  EventBatch batch;
  Record rec;
  std::vector<std::string> warnings;
  std::string error;
  for (;;) {
    if (stop && stop->load()) break;
    try {
      if (!framer.next(rec)) break;
    } catch (const std::exception& ex) {
      // The framer cannot say where this source resumes: stop it, loudly.
      ++counts_.unreadable;
      std::fprintf(stderr, "cmrelay: %s: cannot frame the input after record %llu: %s\n", name.c_str(),
                   static_cast<unsigned long long>(rec.index), ex.what());
      return;
    }
    ++counts_.bodies;
    if (!rec.error.empty()) {
      reject(rec, rec.error);
      continue;
    }
    if (!rec.trace_id.empty() && !utf8::valid(rec.trace_id)) {
      // A header is no reason to lose the alert, nor to print invalid UTF-8: drop the value.
      warn_once(rec, "x-volc-trace-id header is not valid UTF-8; not kept as a label");
      rec.trace_id.clear();
    }
    json::Value* body = reader.read(rec, error);
    if (body == nullptr) {
      reject(rec, error);
      continue;
    }
    Detection d = detect(*body, options_.vendor);
    if (d.format == nullptr) {
      reject(rec, d.error);
      continue;
    }
    batch.clear();
    if (options_.decode) {
      warnings.clear();
      DecodeContext ctx{options_.severity, reader.parser(), warnings, rec};
      try {
        d.format->decode(*body, ctx, batch);
      } catch (const std::exception& ex) {
        reject(rec, std::string(d.format->id) + ": " + ex.what());
        continue;
      }
      for (const std::string& w : warnings) warn_once(rec, w);
      if (batch.empty()) {
        reject(rec, std::string(d.format->id) + ": the body holds no event");
        continue;
      }
      for (Event& e : batch) {
        if (d.format->vendor != Vendor::Flashduty && defuse_template(e)) {
          warn_once(rec, "title_rule began with [TPL], which Flashduty would render as a template; sent as (TPL)");
        }
        std::string cut = enforce_limits(e);
        if (!cut.empty() && !truncation_said_) {
          truncation_said_ = true;
          warn_once(rec, cut + " to fit Flashduty's limits (further truncations are not reported)");
        }
      }
      counts_.events += batch.size();
    }
    on_body(rec, d, batch);
  }
  if (!framer.read_error().empty()) {
    ++counts_.unreadable;
    std::fprintf(stderr, "cmrelay: %s: read error: %s\n", name.c_str(), framer.read_error().c_str());
  }
}

}  // namespace cmrelay
