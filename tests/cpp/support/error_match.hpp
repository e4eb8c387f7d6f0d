// tests/cpp/support/error_match.hpp -- Catch2 matchers for hetmod::Error (status + message).
//   REQUIRE_THROWS_MATCHES(f(), hetmod::Error, support::is_error(Status::invalid_argument, "f: x is NaN, ..."));
//   REQUIRE_THROWS_MATCHES(f(), hetmod::Error, support::error_contains(Status::numerical, "not positive definite"));
#pragma once
#include <catch2/catch.hpp>
#include <string>

#include "hetmod/core/error.hpp"

namespace support {

class ErrorMatcher : public Catch::MatcherBase<hetmod::Error> {
 public:
  ErrorMatcher(hetmod::Status status, std::string text, bool exact)
      : status_(status), text_(std::move(text)), exact_(exact) {}
  bool match(const hetmod::Error& e) const override {
    const std::string what = e.what();
    return e.status() == status_ && (exact_ ? what == text_ : what.find(text_) != std::string::npos);
  }
  std::string describe() const override {
    return std::string("is hetmod::Error(") + hetmod::status_string(status_) + ") " +
           (exact_ ? "with message \"" : "whose message contains \"") + text_ + "\"";
  }

 private:
  hetmod::Status status_;
  std::string text_;
  bool exact_;
};

/// Status and exact message.
inline ErrorMatcher is_error(hetmod::Status status, const std::string& message) {
  return ErrorMatcher(status, message, true);
}
/// Status and a substring of the message.
inline ErrorMatcher error_contains(hetmod::Status status, const std::string& part) {
  return ErrorMatcher(status, part, false);
}

}  // namespace support

namespace Catch {
template <>
struct StringMaker<hetmod::Error> {
  static std::string convert(const hetmod::Error& e) {
    return std::string("hetmod::Error(") + hetmod::status_string(e.status()) + ", \"" + e.what() + "\")";
  }
};
}  // namespace Catch
