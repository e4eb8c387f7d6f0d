// Log sink and interrupt hook (core/log.hpp).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hetmod/core/log.hpp"
#include "support/error_match.hpp"

using hetmod::LogLevel;
using hetmod::Status;

namespace {
struct Captured {
  std::vector<std::pair<LogLevel, std::string>> messages;
};
void capture(LogLevel level, const char* message, void* user) {
  static_cast<Captured*>(user)->messages.emplace_back(level, message);
}
bool countdown(void* user) {  // interrupt once the counter reaches zero
  int* n = static_cast<int*>(user);
  return --*n <= 0;
}
/// Restores the default hooks at scope exit, so one test cannot leak into another.
struct HookGuard {
  ~HookGuard() {
    hetmod::set_log_sink(nullptr);
    hetmod::set_interrupt_checker(nullptr);
  }
};
}  // namespace

TEST_CASE("log goes to the installed sink, and nowhere by default", "[core][log]") {
  HookGuard guard;
  REQUIRE_NOTHROW(hetmod::log(LogLevel::info, "dropped"));
  Captured c;
  hetmod::set_log_sink(capture, &c);
  hetmod::log(LogLevel::warning, "first");
  hetmod::log(LogLevel::debug, std::string("second"));
  REQUIRE(c.messages.size() == 2);
  CHECK(c.messages[0].first == LogLevel::warning);
  CHECK(c.messages[0].second == "first");
  CHECK(c.messages[1].first == LogLevel::debug);
  CHECK(c.messages[1].second == "second");
  hetmod::set_log_sink(nullptr);
  hetmod::log(LogLevel::info, "dropped again");
  CHECK(c.messages.size() == 2);
}

TEST_CASE("interrupt checker hook", "[core][log]") {
  HookGuard guard;
  CHECK_FALSE(hetmod::interrupt_requested());
  REQUIRE_NOTHROW(hetmod::check_interrupt("loop"));
  int n = 3;
  hetmod::set_interrupt_checker(countdown, &n);
  CHECK_FALSE(hetmod::interrupt_requested());
  CHECK_FALSE(hetmod::interrupt_requested());
  CHECK(hetmod::interrupt_requested());
  REQUIRE_THROWS_MATCHES(hetmod::check_interrupt("surv_fit"), hetmod::Error,
                         support::is_error(Status::interrupted, "surv_fit: interrupted by the user"));
  hetmod::set_interrupt_checker(nullptr);
  CHECK_FALSE(hetmod::interrupt_requested());
}
