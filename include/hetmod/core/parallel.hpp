// hetmod/core/parallel.hpp -- deterministic parallel loops over independent tasks.
//
// parallel_for(n, threads, body) runs body(i) for i in [0, n) on up to `threads` worker threads
// (threads <= 0: std::thread::hardware_concurrency()). Tasks are handed out by an atomic counter; the
// caller must write results by index so the outcome does not depend on scheduling. The first
// exception thrown by any task stops the hand-out of new tasks and is rethrown on the calling thread.
// The calling thread also runs tasks; it polls the interrupt hook (hetmod::interrupt_requested)
// before each of its tasks, and a pending interrupt stops the hand-out like an exception and is
// rethrown as Error(Status::interrupted). threads == 1 runs inline without spawning a thread.
#pragma once
#include <cstdint>
#include <functional>

namespace hetmod {

/// Effective number of threads for a request (<= 0 means all hardware threads, capped at n).
int resolve_threads(int requested, int64_t n);

/// Runs body(i) for i in [0, n) on resolve_threads(threads, n) threads (the caller included). body must
/// be thread-safe and write its results by index. Rethrows the first exception; n must be >= 0.
void parallel_for(int64_t n, int threads, const std::function<void(int64_t)>& body);

}  // namespace hetmod
