// src/numeric/vmath.hpp -- lane-parallel exp and log on GCC/Clang vector types (module-private header).
//
// Hot loops (survival's APGW rows) run their transcendentals over short contiguous arrays. These kernels
// do that with plain IEEE operations on vectors of W doubles (W = 2: SSE2 / NEON baseline; W = 4: the
// AVX2 instantiation), so every element gets the same bits whatever W and whatever the machine:
//  - only +, -, *, /, comparisons and integer bit manipulation, in a fixed order; no FMA (no clone enables
//    it, so GCC cannot contract), no table lookups, no reassociation;
//  - callers instantiate a loop body once per width: a default-target function with W = 2 and a
//    HETMOD_TARGET_AVX2 function with W = 4, and pick one at run time with vmath::use_avx2().
// Vectors are passed by reference (a 32-byte vector passed by value to a default-target function would
// change the ABI; GCC warns with -Wpsabi).
//
// exp(x), x in [-708, 709] (the result is a normal double): n = round(x / ln 2) by the 1.5 * 2^52 shifter,
// r = (x - n ln2_hi) - n ln2_lo (Cody-Waite; ln2_hi has 32 significant bits, so n ln2_hi and the first
// subtraction are exact), e^r = 1 + (r + r^2 P(r)) with P the Taylor polynomial of degree 11 (e^r to
// degree 13: truncation below 5e-18 relative for |r| <= 0.347), times 2^n built in the exponent field.
// log(x), x a positive normal double: x = 2^e m with m in [sqrt(1/2), sqrt 2), f = m - 1 (exact),
// s = f / (2 + f), log(1 + f) = f - (f^2/2 - s (f^2/2 + R)) with R = sum_{k=1..10} 2 s^(2k) / (2k + 1)
// (the atanh series; truncation below 1e-18 relative for |s| <= 0.172), plus e ln2_hi + e ln2_lo.
// Both are within ~1 ulp of the exact value (tests/cpp/numeric/vmath.cpp measures the maximum against
// long double over the whole range). Other arguments (outside the range, NaN, zero, negative, subnormal,
// infinite) set the lane in `bad` and yield a placeholder (any value; no traps): the caller recomputes those
// elements with std::exp / std::log (exp_array / log_array below do), so they get exactly the standard
// library's results.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__GNUC__) || defined(__clang__)
#define HETMOD_VINLINE inline __attribute__((always_inline))
#else
#error "hetmod's vmath needs GCC or Clang vector extensions"
#endif

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define HETMOD_HAVE_AVX2_TARGET 1
#define HETMOD_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define HETMOD_HAVE_AVX2_TARGET 0
#define HETMOD_TARGET_AVX2
#endif

namespace hetmod::numeric::vmath {

/// Vector types of W doubles (W = 2 or 4) with 64-bit integer lanes for masks and bit manipulation (and W
/// 32-bit integers).
template <int W>
struct Lanes;
template <>
struct Lanes<2> {
  typedef double D __attribute__((vector_size(16)));
  typedef int64_t I __attribute__((vector_size(16)));
  typedef uint64_t U __attribute__((vector_size(16)));
  typedef int32_t I32 __attribute__((vector_size(8)));
};
template <>
struct Lanes<4> {
  typedef double D __attribute__((vector_size(32)));
  typedef int64_t I __attribute__((vector_size(32)));
  typedef uint64_t U __attribute__((vector_size(32)));
  typedef int32_t I32 __attribute__((vector_size(16)));
};

/// True when the AVX2 instantiations may run: the CPU supports AVX2 and force_baseline(true) is not in
/// effect (cached after the first call).
bool use_avx2();
/// Testing hook: true makes use_avx2() return false (the W = 2 code everywhere), false restores detection.
void force_baseline(bool on);

/// Arrays: y[i] = exp(x[i]) / log(x[i]) for i < n (x and y may alias), with std::exp / std::log for the
/// arguments outside the fast range (so special values match the standard library exactly).
void exp_array(const double* x, double* y, int64_t n);
void log_array(const double* x, double* y, int64_t n);

namespace k {
// ln 2 = kLn2Hi + kLn2Lo; kLn2Hi has 32 significant bits.
constexpr double kLn2Hi = 0x1.62e42fee00000p-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
constexpr double kLog2e = 0x1.71547652b82fep+0;
constexpr double kShift = 0x1.8p52;  // adding it rounds |v| < 2^51 to an integer kept in the low bits
constexpr double kSqrt2 = 1.4142135623730950488;
constexpr double kExpLo = -708.0, kExpHi = 709.0;
constexpr double kMinNormal = 0x1p-1022, kMaxFinite = 0x1.fffffffffffffp+1023;
// 1/k! for k = 2..13.
constexpr double kE2 = 1.0 / 2, kE3 = kE2 / 3, kE4 = kE3 / 4, kE5 = kE4 / 5, kE6 = kE5 / 6, kE7 = kE6 / 7,
                 kE8 = kE7 / 8, kE9 = kE8 / 9, kE10 = kE9 / 10, kE11 = kE10 / 11, kE12 = kE11 / 12,
                 kE13 = kE12 / 13;
}  // namespace k

template <int W>
HETMOD_VINLINE void load(typename Lanes<W>::D& v, const double* p) {
  std::memcpy(&v, p, sizeof v);
}
template <int W>
HETMOD_VINLINE void store(double* p, const typename Lanes<W>::D& v) {
  std::memcpy(p, &v, sizeof v);
}
/// out = m ? a : b lane-wise (m lanes all-ones or zero).
template <int W>
HETMOD_VINLINE void select(typename Lanes<W>::D& out, const typename Lanes<W>::I& m, const typename Lanes<W>::D& a,
                           const typename Lanes<W>::D& b) {
#if defined(__clang__) && __clang_major__ < 13
  typedef typename Lanes<W>::I I;
  typedef typename Lanes<W>::D D;
  out = (D)((m & (I)a) | (~m & (I)b));
#else
  // The vector conditional, not the equivalent bit operations: GCC 12 turns (m & a) | (~m & b) into a
  // conditional on m != 0, which SSE2 (no 64-bit integer compare) lowers to scalar code.
  out = m ? a : b;
#endif
}
/// Any lane of m set.
template <int W>
HETMOD_VINLINE bool any(const typename Lanes<W>::I& m) {
  int64_t r = 0;
  for (int i = 0; i < W; ++i) r |= m[i];
  return r != 0;
}

/// y = e^x lane-wise; lanes with x outside [-708, 709] or NaN are set in bad (y there is a placeholder).
template <int W>
HETMOD_VINLINE void exp(const typename Lanes<W>::D& x, typename Lanes<W>::D& y, typename Lanes<W>::I& bad) {
  typedef typename Lanes<W>::D D;
  typedef typename Lanes<W>::I I;
  typedef typename Lanes<W>::U U;
  bad |= ~((I)(x >= k::kExpLo) & (I)(x <= k::kExpHi));
  // Bad lanes run through the same operations (unsigned integer arithmetic wraps; no traps): a placeholder.
  const D t = x * k::kLog2e + k::kShift;
  const D n = t - k::kShift;
  const D r = (x - n * k::kLn2Hi) - n * k::kLn2Lo;
  D p = r * k::kE13 + k::kE12;
  p = p * r + k::kE11;
  p = p * r + k::kE10;
  p = p * r + k::kE9;
  p = p * r + k::kE8;
  p = p * r + k::kE7;
  p = p * r + k::kE6;
  p = p * r + k::kE5;
  p = p * r + k::kE4;
  p = p * r + k::kE3;
  p = p * r + k::kE2;
  const D er = 1.0 + (r + (r * r) * p);
  D sh = {};
  sh = sh + k::kShift;
  const U ni = (U)t - (U)sh;
  const D scale = (D)((ni + 1023) << 52);
  y = er * scale;
}

/// y = log(x) lane-wise; lanes with x not a positive normal finite double (or NaN) are set in bad.
template <int W>
HETMOD_VINLINE void log(const typename Lanes<W>::D& x, typename Lanes<W>::D& y, typename Lanes<W>::I& bad) {
  typedef typename Lanes<W>::D D;
  typedef typename Lanes<W>::I I;
  typedef typename Lanes<W>::U U;
  bad |= ~((I)(x >= k::kMinNormal) & (I)(x <= k::kMaxFinite));
  D one = {};
  one = one + 1.0;
  const U bits = (U)x;  // bad lanes: a placeholder from the same operations
  I e = (I)((bits >> 52) & 0x7ffULL) - 1023;
  D m = (D)((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const I big = (I)(m > k::kSqrt2);
  select<W>(m, big, m * 0.5, m);
  e = e - big;
  D sh = one * k::kShift;
  const D ed = (D)(e + (I)sh) - k::kShift;
  const D f = m - 1.0;
  const D s = f / (2.0 + f);
  const D z = s * s;
  D R = z * (2.0 / 21) + (2.0 / 19);
  R = R * z + (2.0 / 17);
  R = R * z + (2.0 / 15);
  R = R * z + (2.0 / 13);
  R = R * z + (2.0 / 11);
  R = R * z + (2.0 / 9);
  R = R * z + (2.0 / 7);
  R = R * z + (2.0 / 5);
  R = R * z + (2.0 / 3);
  R = R * z;
  const D hfsq = 0.5 * f * f;
  y = ed * k::kLn2Hi + (f - (hfsq - (s * (hfsq + R) + ed * k::kLn2Lo)));
}

}  // namespace hetmod::numeric::vmath
