// Versioned FitResult serialiser (core/result.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "hetmod/core/result.hpp"
#include "support/error_match.hpp"

using hetmod::FitResult;
using hetmod::Status;
using support::error_contains;
using support::is_error;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Bitwise equality of doubles (NaN == NaN, -0 != +0).
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return false;
  return true;
}

FitResult full_fit() {
  FitResult f;
  f.family = "survival";
  f.model = "apgw";
  f.coef_names = {"log_scale", "shape", std::string("with\0nul", 8), ""};
  f.coef = {0.5, -1.25, kNaN, -0.0};
  f.vcov.resize(16);
  for (int i = 0; i < 16; ++i) f.vcov[i] = 0.1 * i - 0.7;
  f.vcov[5] = kInf;
  f.vcov[10] = -kInf;
  f.vcov[15] = kNaN;
  f.loglik = -1234.5678901234567;
  f.df = 4;
  f.nobs = 1LL << 40;
  f.convergence.converged = true;
  f.convergence.code = -4;
  f.convergence.optimizer = "nlopt:LD_LBFGS";
  f.convergence.reason = "relative change in the parameters below xtol_rel";
  f.convergence.iterations = 123;
  f.convergence.grad_norm = kNaN;
  f.convergence.objective = 1e300;
  f.extras["fitted"] = {1, 2, 3};
  f.extras["empty"] = {};
  f.extras["specials"] = {kNaN, kInf, -kInf, 5e-324};
  f.notes["warning"] = "Hessian near singular";
  f.notes["empty"] = "";
  return f;
}

void require_equal(const FitResult& a, const FitResult& b) {
  CHECK(a.family == b.family);
  CHECK(a.model == b.model);
  CHECK(a.coef_names == b.coef_names);
  CHECK(same_bits(a.coef, b.coef));
  CHECK(same_bits(a.vcov, b.vcov));
  CHECK(same_bits(a.loglik, b.loglik));
  CHECK(a.df == b.df);
  CHECK(a.nobs == b.nobs);
  CHECK(a.convergence.converged == b.convergence.converged);
  CHECK(a.convergence.code == b.convergence.code);
  CHECK(a.convergence.optimizer == b.convergence.optimizer);
  CHECK(a.convergence.reason == b.convergence.reason);
  CHECK(a.convergence.iterations == b.convergence.iterations);
  CHECK(same_bits(a.convergence.grad_norm, b.convergence.grad_norm));
  CHECK(same_bits(a.convergence.objective, b.convergence.objective));
  REQUIRE(a.extras.size() == b.extras.size());
  for (const auto& kv : a.extras) {
    REQUIRE(b.extras.count(kv.first) == 1);
    CHECK(same_bits(kv.second, b.extras.at(kv.first)));
  }
  CHECK(a.notes == b.notes);
}

void put_u32(std::string& s, std::size_t pos, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[pos + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
}  // namespace

TEST_CASE("serialize/deserialize round-trips every field", "[core][result]") {
  const FitResult f = full_fit();
  const std::string blob = hetmod::serialize(f);
  REQUIRE(blob.substr(0, 8) == "HETMODFR");
  const FitResult g = hetmod::deserialize(blob);
  require_equal(f, g);
  CHECK(hetmod::serialize(g) == blob);  // deterministic
}

TEST_CASE("serialize/deserialize round-trips an empty fit and an empty vcov", "[core][result]") {
  FitResult e;
  require_equal(e, hetmod::deserialize(hetmod::serialize(e)));
  FitResult f = full_fit();
  f.vcov.clear();
  f.extras.clear();
  f.notes.clear();
  const FitResult g = hetmod::deserialize(hetmod::serialize(f));
  CHECK(g.vcov.empty());
  require_equal(f, g);
}

TEST_CASE("deserialize rejects foreign, corrupt and truncated blobs", "[core][result]") {
  const std::string blob = hetmod::serialize(full_fit());
  const auto bad_magic = is_error(Status::invalid_argument,
                                  "fit_deserialize: the bytes are not a serialised hetmod fit (bad magic)");
  REQUIRE_THROWS_MATCHES(hetmod::deserialize(""), hetmod::Error, bad_magic);
  REQUIRE_THROWS_MATCHES(hetmod::deserialize("HETMODFR"), hetmod::Error, bad_magic);
  std::string other = blob;
  other[0] = 'X';
  REQUIRE_THROWS_MATCHES(hetmod::deserialize(other), hetmod::Error, bad_magic);

  SECTION("wrong version") {
    std::string v = blob;
    put_u32(v, 8, hetmod::kFitFormatVersion + 1);
    REQUIRE_THROWS_MATCHES(hetmod::deserialize(v), hetmod::Error,
                           is_error(Status::invalid_argument,
                                    "fit_deserialize: format version 2 is not supported (this build reads "
                                    "versions 1..1)"));
    put_u32(v, 8, 0);
    REQUIRE_THROWS_MATCHES(hetmod::deserialize(v), hetmod::Error,
                           error_contains(Status::invalid_argument, "format version 0 is not supported"));
  }
  SECTION("every truncation") {
    for (std::size_t len = 0; len < blob.size(); ++len) {
      INFO("prefix length " << len);
      REQUIRE_THROWS_MATCHES(hetmod::deserialize(blob.substr(0, len)), hetmod::Error,
                             error_contains(Status::invalid_argument, "fit_deserialize: "));
    }
  }
  SECTION("trailing bytes") {
    REQUIRE_THROWS_MATCHES(hetmod::deserialize(blob + "x"), hetmod::Error,
                           is_error(Status::invalid_argument, "fit_deserialize: trailing bytes after the serialised fit"));
  }
  SECTION("huge length fields never allocate or read past the end") {
    // The family string's length sits right after magic + version.
    std::string h = blob;
    for (int i = 0; i < 8; ++i) h[12 + i] = static_cast<char>(0xff);
    REQUIRE_THROWS_MATCHES(hetmod::deserialize(h), hetmod::Error,
                           is_error(Status::invalid_argument, "fit_deserialize: the serialised fit is truncated or corrupt"));
    // Every single-byte corruption gives either a fit or an Error, never a crash.
    for (std::size_t pos = 12; pos < blob.size(); ++pos) {
      std::string c = blob;
      c[pos] = static_cast<char>(c[pos] ^ 0x80);
      try {
        (void)hetmod::deserialize(c);
      } catch (const hetmod::Error& e) {
        CHECK(e.status() == Status::invalid_argument);
      }
    }
  }
  SECTION("inconsistent sizes") {
    FitResult f = full_fit();
    f.coef.pop_back();
    REQUIRE_THROWS_MATCHES(hetmod::deserialize(hetmod::serialize(f)), hetmod::Error,
                           is_error(Status::invalid_argument,
                                    "fit_deserialize: inconsistent coefficient and covariance sizes in the serialised fit"));
    f = full_fit();
    f.vcov.resize(15);
    REQUIRE_THROWS_MATCHES(hetmod::deserialize(hetmod::serialize(f)), hetmod::Error,
                           error_contains(Status::invalid_argument, "inconsistent coefficient and covariance sizes"));
  }
}
