#include "hetmod/core/log.hpp"

#include <atomic>

#include "hetmod/core/error.hpp"

namespace hetmod {
namespace {
struct SinkSlot {
  LogSink sink;
  void* user;
  SinkSlot* prev;
};
struct CheckerSlot {
  InterruptChecker checker;
  void* user;
  CheckerSlot* prev;
};
std::atomic<SinkSlot*> g_sink{nullptr};
std::atomic<CheckerSlot*> g_checker{nullptr};
// Replaced slots are never freed (a reader on another thread may still hold one) but stay reachable
// through `prev`, so LeakSanitizer does not report them. "Restore the default" installs a slot with a
// null function rather than a null pointer, for the same reason.
template <class Slot>
void push(std::atomic<Slot*>& head, Slot* s) noexcept {
  s->prev = head.load();
  while (!head.compare_exchange_weak(s->prev, s)) {
  }
}
}  // namespace

void set_log_sink(LogSink sink, void* user) noexcept { push(g_sink, new SinkSlot{sink, user, nullptr}); }

void log(LogLevel level, const std::string& message) noexcept {
  SinkSlot* s = g_sink.load();
  if (s && s->sink) s->sink(level, message.c_str(), s->user);
}

void set_interrupt_checker(InterruptChecker checker, void* user) noexcept {
  push(g_checker, new CheckerSlot{checker, user, nullptr});
}

bool interrupt_requested() noexcept {
  CheckerSlot* c = g_checker.load();
  return c && c->checker && c->checker(c->user);
}

void check_interrupt(const char* where) {
  if (interrupt_requested()) throw Error(Status::interrupted, std::string(where) + ": interrupted by the user");
}

}  // namespace hetmod
