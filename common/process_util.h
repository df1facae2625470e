#pragma once

#include <csignal>

namespace gale::common {

// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts
// afterwards), so that WaitForTerminationSignal() can receive them. Call in
// main() before starting any thread.
void BlockTerminationSignals();

// Waits until SIGINT or SIGTERM arrives; returns the signal number.
int WaitForTerminationSignal();

// Asks the process to shut down as if it got SIGTERM: for components that
// find they must stop (WaitForTerminationSignal() then returns).
void RequestShutdown();

}  // namespace gale::common
