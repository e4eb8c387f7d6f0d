// hetmod/core/parallel.hpp -- deterministic parallel loops over independent tasks.
//
// parallel_for(n, threads, body) runs body(i) for i in [0, n) on up to `threads` worker threads
// (threads <= 0: std::thread::hardware_concurrency()). Tasks are handed out by an atomic counter; the
// caller must write results by index so the outcome does not depend on scheduling. The first
// exception thrown by any task stops the hand-out of new tasks and is rethrown on the calling thread.
// The interrupt hook is polled on the calling thread between tasks when threads == 1 and by the
// coordinator otherwise.
#pragma once
#include <cstdint>
#include <functional>

namespace hetmod {

/// Effective number of threads for a request (<= 0 means all hardware threads, capped at n).
int resolve_threads(int requested, int64_t n);

void parallel_for(int64_t n, int threads, const std::function<void(int64_t)>& body);

}  // namespace hetmod
