// Tests of hetmod::parallel_for and resolve_threads: coverage of all indices, determinism, exception
// propagation and early stop, interrupts, argument checks.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>

#include "hetmod/core/error.hpp"
#include "hetmod/core/log.hpp"
#include "hetmod/core/parallel.hpp"

TEST_CASE("resolve_threads", "[core][parallel]") {
  CHECK(hetmod::resolve_threads(4, 100) == 4);
  CHECK(hetmod::resolve_threads(4, 2) == 2);
  CHECK(hetmod::resolve_threads(1, 100) == 1);
  CHECK(hetmod::resolve_threads(3, 0) == 1);
  const unsigned hc = std::thread::hardware_concurrency();
  const int all = hc > 0 ? static_cast<int>(hc) : 1;
  CHECK(hetmod::resolve_threads(0, 1000000) == all);
  CHECK(hetmod::resolve_threads(-1, 1000000) == all);
  CHECK(hetmod::resolve_threads(0, 1) == 1);
}

TEST_CASE("parallel_for visits every index exactly once", "[core][parallel]") {
  for (int threads : {1, 2, 4, 0, 64}) {
    const int64_t n = 1000;
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
    for (auto& s : seen) s = 0;
    std::vector<double> out(static_cast<size_t>(n));
    hetmod::parallel_for(n, threads, [&](int64_t i) {
      ++seen[static_cast<size_t>(i)];
      out[static_cast<size_t>(i)] = static_cast<double>(i * i);
    });
    INFO("threads " << threads);
    for (int64_t i = 0; i < n; ++i) {
      CHECK(seen[static_cast<size_t>(i)] == 1);
      CHECK(out[static_cast<size_t>(i)] == static_cast<double>(i * i));
    }
  }
  int calls = 0;
  hetmod::parallel_for(0, 4, [&](int64_t) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("parallel_for with one thread runs inline in order", "[core][parallel]") {
  const auto caller = std::this_thread::get_id();
  std::vector<int64_t> order;
  hetmod::parallel_for(5, 1, [&](int64_t i) {
    CHECK(std::this_thread::get_id() == caller);
    order.push_back(i);
  });
  CHECK(order == std::vector<int64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("parallel_for rethrows the first exception and stops handing out tasks", "[core][parallel]") {
  for (int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    std::atomic<int64_t> started{0};
    const int64_t n = 100000;
    try {
      hetmod::parallel_for(n, threads, [&](int64_t i) {
        ++started;
        if (i == 10) throw hetmod::Error(hetmod::Status::numerical, "task 10 failed");
      });
      FAIL("no exception");
    } catch (const hetmod::Error& e) {
      CHECK(e.status() == hetmod::Status::numerical);
      CHECK(std::string(e.what()) == "task 10 failed");
    }
    CHECK(started < n);  // remaining tasks were not started
    // Standard exceptions keep their type.
    CHECK_THROWS_AS(hetmod::parallel_for(50, threads,
                                         [](int64_t i) {
                                           if (i % 7 == 3) throw std::out_of_range("bad index");
                                         }),
                    std::out_of_range);
  }
}

namespace {
std::atomic<bool> g_armed{false};
std::atomic<int> g_polls{0};
// Reports an interrupt from the 4th poll on while armed. Installed once and left installed: the
// core keeps replaced checker slots alive on purpose, which LeakSanitizer would report.
bool interrupt_after_three(void*) { return g_armed.load() && ++g_polls > 3; }
void install_checker_once() {
  static const bool installed = (hetmod::set_interrupt_checker(interrupt_after_three), true);
  (void)installed;
}
}  // namespace

TEST_CASE("parallel_for turns a user interrupt into Error(interrupted)", "[core][parallel]") {
  for (int threads : {1, 3}) {
    INFO("threads " << threads);
    install_checker_once();
    g_polls = 0;
    g_armed = true;
    std::atomic<int64_t> done{0};
    try {
      hetmod::parallel_for(1000000, threads, [&](int64_t) {
        ++done;
        std::this_thread::sleep_for(std::chrono::microseconds(10));
      });
      g_armed = false;
      FAIL("no interrupt");
    } catch (const hetmod::Error& e) {
      g_armed = false;
      CHECK(e.status() == hetmod::Status::interrupted);
      CHECK(std::string(e.what()).find("interrupted") != std::string::npos);
    }
    CHECK(done < 1000000);
  }
}

TEST_CASE("parallel_for checks its arguments", "[core][parallel]") {
  try {
    hetmod::parallel_for(-1, 2, [](int64_t) {});
    FAIL("no exception");
  } catch (const hetmod::Error& e) {
    CHECK(e.status() == hetmod::Status::invalid_argument);
    CHECK(std::string(e.what()) == "parallel_for: n is -1, but must be >= 0");
  }
  CHECK_THROWS_AS(hetmod::parallel_for(3, 2, std::function<void(int64_t)>()), hetmod::Error);
}
