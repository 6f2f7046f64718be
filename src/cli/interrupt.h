// SIGINT and SIGTERM for the commands that only read and print (convert, detect, routes
// test): the first one stops the run at once (no more is read: Framer checks the flag
// before every read), what was read is printed, and the command exits 128 + the signal.
// (send has its own handling: it must also settle the events in flight.)
#pragma once

#include <atomic>

namespace cmrelay::cli {

// Installs the handlers; returns the flag they set, which a command may also set to stop.
std::atomic<bool>& catch_stop_signals();
// The signal that stopped the run, or 0.
int stop_signal();

}  // namespace cmrelay::cli
