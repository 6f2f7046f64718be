#include "deliver/deadletter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "output/write_all.h"

namespace cmrelay::deliver {

std::string format_dead_letter(const DeadLetter& d) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  char when[32];
  std::time_t t = static_cast<std::time_t>(d.time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  w.StartObject();
  w.Key("time");
  w.String(when);
  w.Key("channel");
  str(d.channel);
  w.Key("url");
  str(d.url);
  w.Key("attempts");
  w.Int(d.attempts);
  if (d.http_status != 0) {
    w.Key("http_status");
    w.Int64(d.http_status);
  }
  w.Key("error");
  str(d.error);
  if (!d.error_code.empty()) {
    w.Key("error_code");
    str(d.error_code);
  }
  if (!d.error_message.empty()) {
    w.Key("error_message");
    str(d.error_message);
  }
  if (!d.request_id.empty()) {
    w.Key("request_id");
    str(d.request_id);
  }
  w.Key("event");
  w.RawValue(d.event_json.data(), d.event_json.size(), rapidjson::kObjectType);
  w.EndObject();
  std::string line(sb.GetString(), sb.GetSize());
  line += '\n';
  return line;
}

DeadLetterFile::~DeadLetterFile() {
  if (fd_ > 2) ::close(fd_);
}

bool DeadLetterFile::open(const std::string& path, std::string& error) {
  path_ = path;
  if (path.empty()) return true;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error = path + ": cannot open the dead-letter file: " + std::strerror(errno);
    fd_ = 2;
    return false;
  }
  return true;
}

bool DeadLetterFile::write(std::string_view record) {
  if (append_record(fd_, record)) return true;
  const int err = errno;
  if (is_stderr()) return false;  // Nowhere else to go.
  std::fprintf(stderr, "cmrelay: %s: cannot write the dead-letter file: %s; the record follows on stderr\n",
               path_.c_str(), std::strerror(err));
  std::fflush(stderr);
  write_all(2, record);
  return false;
}

}  // namespace cmrelay::deliver
