#include "output/diag.h"
#include "pipeline/pipeline.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "event/limits.h"
#include "input/body.h"
#include "input/sources.h"
#include "output/write_all.h"
#include "text/base64.h"
#include "text/escape.h"
#include "text/utf8.h"
#include "vendors/flashduty.h"

namespace cmrelay {

Pipeline::Pipeline(PipelineOptions options)
    : options_(std::move(options)), rejections_(options_.quiet, options_.max_errors), warnings_(options_.quiet) {}

Pipeline::~Pipeline() = default;

bool Pipeline::open(std::string& error) {
  return options_.reject_path.empty() || reject_.open(options_.reject_path, error);
}

void Pipeline::warn_once(const Record& rec, const std::string& message) { warnings_.once(rec.source, rec.index, message); }

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void put(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// Bytes kept exactly: as a string when they are UTF-8, else base64 under KEY_base64.
void put_bytes(JsonWriter& w, const char* key, std::string_view s) {
  if (utf8::valid(s)) {
    w.Key(key);
    put(w, s);
  } else {
    w.Key((std::string(key) + "_base64").c_str());
    put(w, base64::encode(s));
  }
}

// source, record, offset and content_type: what a reject record says of where it was.
void put_origin(JsonWriter& w, const Record& rec) {
  put_bytes(w, "source", rec.source);
  w.Key("record");
  w.Uint64(rec.index);
  w.Key("offset");
  w.Uint64(rec.offset);
  if (!rec.content_type.empty() && utf8::valid(rec.content_type)) {
    w.Key("content_type");
    put(w, rec.content_type);
  }
}

void put_reason(JsonWriter& w, std::string_view reason) {
  w.Key("reason");
  put(w, utf8::valid(reason) ? reason : std::string_view("(reason not valid UTF-8)"));
}

// FILE:RECORD of a diagnostic, the file name escaped (it comes from outside).
std::string where(const Record& rec) { return diag::where(rec.source, rec.index); }

}  // namespace

void Pipeline::passed_limit(const Record& rec) {
  diag::say("%s: longer than the %zu-byte limit (--max-body); reading on to its end%s",
               where(rec).c_str(), options_.max_body, reject_.is_open() ? ", into the reject file" : "");
  std::fflush(stderr);
  if (!reject_.is_open()) return;
  // The record's head is written now, the body as base64 while it is read (whether it is
  // UTF-8 is not known before its end), the length and reason when it ends.
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  put_origin(w, rec);
  w.EndObject();
  std::string head(sb.GetString(), sb.GetSize() - 1);  // Without the closing brace.
  head += ",\"body_base64\":\"";
  over_carry_.clear();
  reject_.begin(head, where(rec));
}

void Pipeline::bytes(std::string_view part) {
  if (!reject_.streaming()) return;
  if (!over_carry_.empty()) {
    const size_t take = std::min(part.size(), 3 - over_carry_.size());
    over_carry_.append(part.substr(0, take));
    part.remove_prefix(take);
    if (over_carry_.size() < 3) return;
    reject_.part(base64::encode(over_carry_));
    over_carry_.clear();
  }
  // Whole groups of three bytes now; a remainder waits for the next part.
  constexpr size_t kStep = size_t{3} * 4096;
  while (part.size() >= 3) {
    const size_t n = std::min(part.size() / 3 * 3, kStep);
    reject_.part(base64::encode(part.substr(0, n)));
    part.remove_prefix(n);
  }
  over_carry_.assign(part);
}

void Pipeline::reject(const Record& rec, std::string_view reason) {
  ++counts_.rejected;
  // Reasons quote keys and values of the body: escaped (diag), so that a body cannot write lines.
  if (rejections_.take()) {
    diag::record(rec.source, rec.index, reason);
  } else {
    ++counts_.unsaid;
  }
  if (options_.on_reject) options_.on_reject(rec, reason);
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  if (reject_.streaming()) {
    reject_.part(base64::encode(over_carry_));
    over_carry_.clear();
  } else {
    put_origin(w, rec);
  }
  w.Key("length");
  w.Uint64(rec.length);
  put_reason(w, reason);
  if (!reject_.streaming()) put_bytes(w, "body", rec.body);
  w.EndObject();
  sb.Put('\n');
  std::string_view record(sb.GetString(), sb.GetSize());
  bool kept = false;
  if (reject_.streaming()) {
    // The tail closes the body string and continues the object begun in passed_limit.
    kept = reject_.end("\"," + std::string(record.substr(1)));
  } else if (reject_.is_open()) {
    kept = reject_.write(record);
  }
  if (reject_.is_open() && !kept) ++counts_.reject_failed;
  if (!kept) not_kept(reject_.is_open() ? "a reject record could not be written" : "a rejected body is kept nowhere else (no --reject)");
}

void Pipeline::not_kept(const char* why) {
  if (input_kept_) kept_why_ = why;
  input_kept_ = false;
}

// Why a body may not be read as it is: a dead-letter record among live input (it names its
// own channel, and would bypass the route file), or a live body among --replay input.
std::string Pipeline::replay_problem(const Detection& d, bool replay) {
  bool dead_letter = d.format == &flashduty::kDeadLetterFormat;
  if (dead_letter && !replay) {
    return "a dead-letter record: its channel is not taken from live input (give dead-letter files with --replay FILE)";
  }
  if (!dead_letter && replay) {
    return "not a dead-letter record (format " + std::string(d.format->id) +
           "): --replay FILE reads dead-letter records only (give live input as PATH)";
  }
  return {};
}

void Pipeline::run(const std::vector<std::string>& paths, const OnBody& on_body, const std::atomic<bool>* stop,
                   bool replay) {
  Inputs inputs = expand_inputs(paths, options_.walk);
  for (const std::string& e : inputs.unreadable) {
    ++counts_.unreadable;
    diag::say("%s", text::escape(e).c_str());
  }
  for (const std::string& e : inputs.skipped) {
    ++counts_.skipped;
    diag::say("%s", e.c_str());
  }
  for (const std::string& path : inputs.files) {
    if (stop && stop->load()) return;
    if (path == "-") {
      read_source(STDIN_FILENO, kStdinName, on_body, stop, replay);
      continue;
    }
    read_file(path, on_body, stop, replay);
  }
}

void Pipeline::read_file(const std::string& path, const OnBody& on_body, const std::atomic<bool>* stop,
                         bool replay) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ++counts_.unreadable;
    diag::say("%s: cannot read: %s", text::escape(path).c_str(), std::strerror(errno));
    return;
  }
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const uint64_t bytes = read_source(fd, path, on_body, stop, replay);
  ::close(fd);
  if (!regular) return;
  if (input_kept_) {
    complete_.push_back({path, static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), bytes});
  } else {
    incomplete_.push_back(text::escape(path) + ": kept: " + kept_why_);
  }
}

uint64_t Pipeline::read_source(int fd, const std::string& name, const OnBody& on_body,
                               const std::atomic<bool>* stop, bool replay) {
  BodyReader reader;  // Before the framer, which parses JSON bodies with it in place.
  Framer framer(fd, name, options_.max_body, stop, this);
  if (idle_) framer.on_idle(idle_);
  framer.parse_in_place(&reader);
  input_kept_ = true;
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
      diag::say("%s: cannot frame the input after record %llu: %s", text::escape(name).c_str(),
                   static_cast<unsigned long long>(rec.index), ex.what());
      not_kept("it could not be framed to its end");
      if (reject_.streaming()) reject(rec, ex.what());  // Close the record begun for it.
      return framer.bytes_read();
    }
    ++counts_.bodies;
    if (!rec.error.empty()) {
      reject(rec, rec.error);
      continue;
    }
    json::Value* body = reader.read(rec, error);
    if (body == nullptr) {
      reject(rec, error);
      continue;
    }
    if (!reader.warning().empty()) warn_once(rec, reader.warning());
    Detection d = detect(*body, options_.vendor);
    if (d.format == nullptr) {
      reject(rec, d.error);
      continue;
    }
    if (std::string why = replay_problem(d, replay); !why.empty()) {
      reject(rec, why);
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
    not_kept("a read error");
    diag::say("%s: read error: %s", text::escape(name).c_str(), framer.read_error().c_str());
  }
  if (framer.stopped() || (stop != nullptr && stop->load())) not_kept("not read to its end (interrupted)");
  return framer.bytes_read();
}

}  // namespace cmrelay
