#include "cli/signals.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace cmrelay::signals {
namespace {

Received g_received;
std::atomic<bool> g_installed{false};

extern "C" void on_stop(int sig) {
  const int saved_errno = errno;
  // Reading standard input from now on sees its end instead of waiting for more (done before
  // the flags, so whoever sees them knows it is done). fd 0 is always standard input here:
  // main() opens /dev/null on any of 0-2 that was closed, so no file of ours sits there.
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  int none = 0;
  g_received.first.compare_exchange_strong(none, sig);
  g_received.stops.fetch_add(1);
  g_received.stop.store(true);
  errno = saved_errno;
}

extern "C" void on_reload(int) { g_received.reload.store(true); }

// Only interrupts the blocked read() of the thread it is sent to (EINTR).
extern "C" void on_wake(int) {}

void handle(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;  // No SA_RESTART: a blocked read() returns EINTR and sees the flag.
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
}

}  // namespace

Received& install(Catch what) {
  handle(SIGINT, on_stop);
  handle(SIGTERM, on_stop);
  handle(SIGUSR1, on_wake);
  if (what.reload) handle(SIGHUP, on_reload);
  if (what.ignore_pipe) ::signal(SIGPIPE, SIG_IGN);
  g_installed.store(true);
  return g_received;
}

Received& received() { return g_received; }

void wake(pthread_t thread) {
  if (g_installed.load()) pthread_kill(thread, SIGUSR1);
}

}  // namespace cmrelay::signals
