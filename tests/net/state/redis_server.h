// A real redis-server for the tests of the shared parts: started by the test on a loopback
// port of its own (never a system service), with no persistence, and stopped, restarted,
// paused or killed as a test needs. Every wait is bounded.
#pragma once

#include <doctest/doctest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace cmrelay::test {

class RedisServer {
 public:
  // extra: more redis-server options ("--requirepass", "pw", ...).
  explicit RedisServer(std::vector<std::string> extra = {}) : extra_(std::move(extra)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("cmrelay-redis-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    for (int tries = 0; tries < 5; ++tries) {  // A port taken between picking and binding: another.
      port_ = free_port();
      if (start()) return;
    }
    throw std::runtime_error("redis-server did not start (is the redis-server package installed?)");
  }
  ~RedisServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& userinfo = "") const {
    return "redis://" + (userinfo.empty() ? "" : userinfo + "@") + "127.0.0.1:" + std::to_string(port_);
  }

  // Starts it again on the same port (empty: nothing was persisted). True once it answers.
  bool start() {
    std::vector<std::string> args{"redis-server",
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--dir",
                                  dir_.string(),
                                  "--loglevel",
                                  "warning",
                                  "--logfile",
                                  (dir_ / "redis.log").string()};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
      return false;
    }
    for (int i = 0; i < 250; ++i) {  // 5 s at most.
      if (answers()) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // Exited: the port was taken.
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    return false;
  }
  // SIGKILL, and waits for it: a Redis gone at once, as in a crash.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  void pause() { ::kill(pid_, SIGSTOP); }  // A Redis that accepts but never answers.
  void resume() { ::kill(pid_, SIGCONT); }

  // One command on a connection of the test's own (plain strings); the reply as text.
  std::string run(std::vector<std::string> args, const std::string& password = "") const {
    timeval tv{2, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    REQUIRE(c != nullptr);
    REQUIRE(c->err == 0);
    if (!password.empty()) freeReplyObject(redisCommand(c, "AUTH %s", password.c_str()));
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data()));
    std::string out;
    if (r != nullptr) {
      if (r->type == REDIS_REPLY_INTEGER) {
        out = std::to_string(r->integer);
      } else if (r->str != nullptr) {
        out.assign(r->str, r->len);
      } else if (r->type == REDIS_REPLY_ARRAY) {
        out = "[" + std::to_string(r->elements) + "]";
      }
      freeReplyObject(r);
    }
    redisFree(c);
    return out;
  }

  // Waits up to limit for pred; true when it held.
  template <class Pred>
  static bool within(std::chrono::milliseconds limit, Pred pred) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
  }
  bool answers() const {
    timeval tv{0, 200000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    bool ok = c != nullptr && c->err == 0;
    if (ok) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      ok = r != nullptr;  // PONG, or NOAUTH from a server with a password: it answers.
      if (r != nullptr) freeReplyObject(r);
    }
    if (c != nullptr) redisFree(c);
    return ok;
  }

  std::vector<std::string> extra_;
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace cmrelay::test
