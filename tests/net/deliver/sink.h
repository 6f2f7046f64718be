// tests/net/deliver/sink.py started for a unit test: a real HTTP server on loopback.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace cmrelay::test {

// tests/net/deliver/sink.py (or another script of that folder taking the same options) on
// 127.0.0.1 with extra arguments, stopped when this goes out of scope.
class Sink {
 public:
  explicit Sink(const std::vector<std::string>& extra = {}, const std::string& name = "sink.py") {
    char dir_template[] = "/tmp/cmrelay-sender-test-XXXXXX";
    dir_ = mkdtemp(dir_template);
    std::string script = std::string(CMRELAY_SOURCE_DIR) + "/tests/net/deliver/" + name;
    std::string port_file = dir_ + "/port";
    log_ = dir_ + "/sink.log";
    std::vector<std::string> args{"python3", script, "--port-file", port_file, "--log", log_, "--max-seconds", "60"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) == 0);
    for (int i = 0; i < 200 && port_.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      std::ifstream in(port_file);
      std::getline(in, port_);
    }
    REQUIRE(!port_.empty());
  }
  ~Sink() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + port_ + path; }
  const std::string& dir() const { return dir_; }
  // The sink's log: one JSON object per request.
  std::vector<std::string> requests() const {
    std::ifstream in(log_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  pid_t pid_ = -1;
  std::string dir_, log_, port_;
};

}  // namespace cmrelay::test
