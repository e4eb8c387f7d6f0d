// hetmod/core/log.hpp -- logging through a sink and the user-interrupt hook.
//
// The core never writes to stdout/stderr. Adapters (R glue, C API users) install a sink and an
// interrupt checker once; both default to no-ops. The hooks are process-wide function pointers set
// by the adapter layer (not model state), read atomically, and safe to call from worker threads only
// if the installed function is (the R glue installs an interrupt checker that only acts on the
// main thread).
#pragma once
#include <string>

namespace hetmod {

enum class LogLevel : int { debug = 0, info = 1, warning = 2 };

/// A log sink: receives a level and a message. Must not throw.
using LogSink = void (*)(LogLevel level, const char* message, void* user);
/// Returns true if the user asked to interrupt. Must not throw or long-jump.
using InterruptChecker = bool (*)(void* user);

/// Installs a sink (nullptr restores the no-op sink).
void set_log_sink(LogSink sink, void* user = nullptr) noexcept;
/// Sends a message to the current sink.
void log(LogLevel level, const std::string& message) noexcept;

/// Installs an interrupt checker (nullptr restores "never interrupted").
void set_interrupt_checker(InterruptChecker checker, void* user = nullptr) noexcept;
/// True if the current checker reports an interrupt.
bool interrupt_requested() noexcept;
/// Throws Error(Status::interrupted, where + ": interrupted by the user") when an interrupt is pending.
void check_interrupt(const char* where);

}  // namespace hetmod
