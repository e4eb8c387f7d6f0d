// hetmod/core/parallel.cpp -- parallel_for over independent tasks with std::thread.
//
// 1. resolve_threads: <= 0 -> hardware_concurrency (1 if unknown), capped at n (and at least 1).
// 2. One thread: tasks run inline on the caller, which polls the interrupt hook before each task.
// 3. Several threads: the caller spawns threads-1 workers and works too. Tasks are handed out by an
//    atomic counter. The caller polls the interrupt hook before each of its tasks. The first
//    exception (or the interrupt, as Error(Status::interrupted)) is kept, no new tasks are started,
//    all threads are joined, and the exception is rethrown on the caller.
#include "hetmod/core/parallel.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"

namespace hetmod {

int resolve_threads(int requested, int64_t n) {
  int64_t t = requested;
  if (t <= 0) {
    const unsigned hc = std::thread::hardware_concurrency();
    t = hc > 0 ? static_cast<int64_t>(hc) : 1;
  }
  if (t > n) t = n;
  if (t < 1) t = 1;
  return static_cast<int>(t);
}

void parallel_for(int64_t n, int threads, const std::function<void(int64_t)>& body) {
  check::at_least("parallel_for", "n", n, 0);
  check::require(static_cast<bool>(body), "parallel_for", "body is empty");
  if (n == 0) return;
  const int nt = resolve_threads(threads, n);
  if (nt == 1) {
    for (int64_t i = 0; i < n; ++i) {
      check_interrupt("parallel_for");
      body(i);
    }
    return;
  }

  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::exception_ptr first;
  auto record = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mu);
    if (!first) first = std::move(e);
    stop.store(true);
  };
  auto run_tasks = [&](bool poll_interrupt) {
    while (!stop.load()) {
      if (poll_interrupt && interrupt_requested()) {
        record(std::make_exception_ptr(Error(Status::interrupted, "parallel_for: interrupted by the user")));
        return;
      }
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        body(i);
      } catch (...) {
        record(std::current_exception());
        return;
      }
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(nt - 1));
  try {
    for (int k = 1; k < nt; ++k) pool.emplace_back(run_tasks, false);
  } catch (...) {
    // Could not start a thread (resource limits): carry on with the workers we have.
  }
  run_tasks(true);
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace hetmod
