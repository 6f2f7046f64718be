#include "cli/interrupt.h"

#include <csignal>

namespace cmrelay::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int sig) {
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  g_stop.store(true);
}

}  // namespace

std::atomic<bool>& catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;  // No SA_RESTART: a blocked read() returns EINTR and sees the flag.
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return g_stop;
}

int stop_signal() { return g_signal.load(); }

}  // namespace cmrelay::cli
