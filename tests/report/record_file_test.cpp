#include "report/record_file.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

using namespace cmrelay;

namespace {

// One NDJSON record: {"writer":W,"n":N,"pad":"..."} with pad bytes of W's letter.
std::string record(char writer, int n, size_t pad) {
  return "{\"writer\":\"" + std::string(1, writer) + "\",\"n\":" + std::to_string(n) + ",\"pad\":\"" +
         std::string(pad, writer) + "\"}\n";
}

// A child process that appends count records (every 1000th several hundred KB) and exits 0
// when every one was taken whole.
pid_t appender(const std::string& path, char writer, int count) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  RecordFile file("test file");
  std::string error;
  bool ok = file.open(path, error);
  for (int n = 0; ok && n < count; ++n) ok = file.append(record(writer, n, n % 1000 == 999 ? 400 * 1024 : 40));
  ::_exit(ok ? 0 : 1);
}

}  // namespace

TEST_CASE("two processes appending to one record file never interleave a record") {
  char dir_template[] = "/tmp/cmrelay-record-file-XXXXXX";
  std::string dir = ::mkdtemp(dir_template);
  std::string path = dir + "/records.ndjson";
  constexpr int kCount = 10000;
  pid_t a = appender(path, 'a', kCount);
  pid_t b = appender(path, 'b', kCount);
  int status_a = -1, status_b = -1;
  ::waitpid(a, &status_a, 0);
  ::waitpid(b, &status_b, 0);
  CHECK(status_a == 0);
  CHECK(status_b == 0);

  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::ifstream in(path);
  std::map<std::string, int> next;  // Each writer's records arrive whole and in order.
  std::string line;
  int lines = 0, whole = 0, large = 0;
  while (std::getline(in, line)) {
    ++lines;
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject()) continue;
    const std::string writer = d["writer"].GetString();
    const int n = d["n"].GetInt();
    const std::string pad = d["pad"].GetString();
    if (n == next[writer] && pad == std::string(pad.size(), writer[0])) ++whole;
    if (pad.size() > 100000) ++large;
    next[writer] = n + 1;
  }
  CHECK(lines == 2 * kCount);
  CHECK(whole == 2 * kCount);
  CHECK(large == 2 * (kCount / 1000));
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("a record file that cannot be opened says which and why") {
  RecordFile file("reject file");
  std::string error;
  CHECK(!file.open("/nonexistent-dir/x.ndjson", error));
  CHECK(error == "/nonexistent-dir/x.ndjson: cannot open the reject file: No such file or directory");
  CHECK(!file.is_open());
}
