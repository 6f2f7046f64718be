// The one place cmrelay catches signals, for every command (modelled on ccache's one
// SignalHandler: the handlers only record what came in one process-wide place; the command's
// loop reads it and acts by its own policy).
//
// - SIGINT and SIGTERM ask the run to stop: the first sets Received::stop and makes standard
//   input read as ended (fd 0 becomes /dev/null: a blocked read() returns EINTR, the next one
//   sees the end). What stopping means is the command's: convert, detect, labels and routes
//   test print what they read; send settles the events read (deliver/engine.h, kStop); serve
//   stops accepting and drains (kStopAndDrain). A second one asks for the end at once.
//   Handlers are installed without SA_RESTART, so a blocked read() sees the flag.
// - SIGUSR1 does nothing but interrupt a blocked read() on the thread it is sent to (wake()).
// - SIGHUP (with Catch::reload: serve) asks for a reload; otherwise it keeps its default.
// - SIGPIPE (with Catch::ignore_pipe: send, serve) is ignored, so that a closed standard error,
//   dead-letter pipe or client cannot end a run with events in flight; otherwise it keeps its
//   default (`cmrelay convert | head -1` ends convert).
// An interrupted run exits 128 + the first signal's number, as shells report it (exit_status).
#pragma once

#include <pthread.h>

#include <atomic>

namespace cmrelay::signals {

// What the handlers record. The process has one (received()); a test may make its own to
// drive a loop that reads it.
struct Received {
  std::atomic<int> stops{0};        // SIGINT and SIGTERM so far (the Sender dead-letters its queue once > 0).
  std::atomic<int> first{0};        // The first one's number; 0: none came.
  std::atomic<bool> stop{false};    // Stop reading; a command sets it too (its output failed).
  std::atomic<bool> reload{false};  // SIGHUP came (with Catch::reload); the reader clears it.

  // 128 + the first signal when one came, else otherwise (the run's own outcome).
  int exit_status(int otherwise) const {
    const int sig = first.load();
    return sig != 0 ? 128 + sig : otherwise;
  }
};

// What a command catches beyond SIGINT, SIGTERM and SIGUSR1.
struct Catch {
  bool reload = false;       // SIGHUP sets Received::reload (serve).
  bool ignore_pipe = false;  // SIGPIPE is ignored (send, serve).
};

// Installs the handlers and returns the process's record. Call before starting threads, so
// that they inherit the dispositions.
Received& install(Catch what = {});
// The process's record (whether or not install() was called).
Received& received();
// Interrupts a read() blocked on thread (SIGUSR1); nothing before install().
void wake(pthread_t thread);

}  // namespace cmrelay::signals
