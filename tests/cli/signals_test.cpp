// The one signal module, with real signals. Each case runs in a child process, so that the
// handlers it installs and the signals it raises leave this test process as it was; the
// child reports by its exit status (0: every expectation held; else the first that did not).
#include "cli/signals.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

using namespace cmrelay;

namespace {

// The wait status of a child that ran body (its return value is the exit status). A child
// that hangs is ended by its alarm (SIGALRM) after 60 s.
int in_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::alarm(60);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status); }

// True when fd reads /dev/null.
bool is_dev_null(int fd) {
  struct stat a {
  }, b{};
  return ::fstat(fd, &a) == 0 && ::stat("/dev/null", &b) == 0 && a.st_rdev == b.st_rdev && S_ISCHR(a.st_mode);
}

}  // namespace

TEST_CASE("signals: SIGINT and SIGTERM are counted, the first kept, reading stopped, standard input ended") {
  const int status = in_child([] {
    int fds[2];
    if (::pipe(fds) != 0 || ::dup2(fds[0], STDIN_FILENO) < 0) return 1;
    signals::Received& r = signals::install();
    if (r.stops.load() != 0 || r.stop.load() || r.exit_status(3) != 3) return 2;
    ::raise(SIGTERM);
    if (r.stops.load() != 1 || r.first.load() != SIGTERM || !r.stop.load()) return 3;
    if (!is_dev_null(STDIN_FILENO)) return 4;  // A read of standard input now sees its end.
    ::raise(SIGINT);
    if (r.stops.load() != 2 || r.first.load() != SIGTERM) return 5;
    if (r.exit_status(3) != 128 + SIGTERM) return 6;
    if (&r != &signals::received()) return 7;
    return 0;
  });
  CHECK(exit_code(status) == 0);
}

TEST_CASE("signals: serve's SIGHUP asks for a reload; send's and serve's SIGPIPE is ignored") {
  const int status = in_child([] {
    signals::Received& r = signals::install({.reload = true, .ignore_pipe = true});
    ::raise(SIGHUP);
    if (!r.reload.exchange(false)) return 1;
    ::raise(SIGPIPE);  // Still alive.
    if (r.stops.load() != 0 || r.stop.load()) return 2;
    return 0;
  });
  CHECK(exit_code(status) == 0);
}

TEST_CASE("signals: the reading commands keep SIGPIPE's and SIGHUP's defaults") {
  CHECK(exit_code(in_child([] {
          signals::install();
          ::raise(SIGPIPE);
          return 0;
        })) == 100 + SIGPIPE);
  CHECK(exit_code(in_child([] {
          signals::install();
          ::raise(SIGHUP);
          return 0;
        })) == 100 + SIGHUP);
}

TEST_CASE("signals: wake() interrupts a read() blocked on another thread; nothing before install()") {
  CHECK(exit_code(in_child([] {
          signals::wake(pthread_self());  // Not installed: SIGUSR1 would end the process.
          return 0;
        })) == 0);
  const int status = in_child([] {
    signals::install();
    int fds[2];
    if (::pipe(fds) != 0) return 1;
    std::atomic<int> got{0};
    std::thread reader([&] {
      char c;
      got.store(::read(fds[0], &c, 1) < 0 && errno == EINTR ? 1 : 2);
    });
    // The signal may come before the read() blocks: sent again until it returns (bounded).
    for (int i = 0; i < 3000 && got.load() == 0; ++i) {
      signals::wake(reader.native_handle());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (got.load() == 0) ::close(fds[1]);  // Let it end, and fail.
    reader.join();
    return got.load() == 1 ? 0 : 3;
  });
  CHECK(exit_code(status) == 0);
}
