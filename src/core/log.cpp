#include "hetmod/core/log.hpp"

#include <atomic>

#include "hetmod/core/error.hpp"

namespace hetmod {
namespace {
struct SinkSlot {
  LogSink sink;
  void* user;
};
struct CheckerSlot {
  InterruptChecker checker;
  void* user;
};
std::atomic<SinkSlot*> g_sink{nullptr};
std::atomic<CheckerSlot*> g_checker{nullptr};
// Slots are leaked on replacement on purpose: a reader on another thread may still hold the old one.
}  // namespace

void set_log_sink(LogSink sink, void* user) noexcept {
  g_sink.store(sink ? new SinkSlot{sink, user} : nullptr);
}

void log(LogLevel level, const std::string& message) noexcept {
  SinkSlot* s = g_sink.load();
  if (s && s->sink) s->sink(level, message.c_str(), s->user);
}

void set_interrupt_checker(InterruptChecker checker, void* user) noexcept {
  g_checker.store(checker ? new CheckerSlot{checker, user} : nullptr);
}

bool interrupt_requested() noexcept {
  CheckerSlot* c = g_checker.load();
  return c && c->checker && c->checker(c->user);
}

void check_interrupt(const char* where) {
  if (interrupt_requested()) throw Error(Status::interrupted, std::string(where) + ": interrupted by the user");
}

}  // namespace hetmod
