// Lane-parallel exp / log (numeric/vmath.hpp): run-time choice of the AVX2 instantiation and array
// versions with the standard library's results for special arguments.
#include "vmath.hpp"

#include <atomic>
#include <cmath>

namespace hetmod::numeric::vmath {

namespace {
std::atomic<int> g_forced{0};

bool cpu_has_avx2() {
#if HETMOD_HAVE_AVX2_TARGET
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}

// Full vectors of W lanes over [0, n - n % W), the remainder padded with 0 (exp) / 1 (log); bad lanes
// (and the padded tail) recomputed with the standard library.
template <int W, bool Exp>
HETMOD_VINLINE void apply(const double* x, double* y, int64_t n) {
  typedef typename Lanes<W>::D D;
  typedef typename Lanes<W>::I I;
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    D v, r;
    I bad = {};
    load<W>(v, x + i);
    if (Exp)
      vmath::exp<W>(v, r, bad);
    else
      vmath::log<W>(v, r, bad);
    if (any<W>(bad)) {
      for (int l = 0; l < W; ++l)
        if (bad[l]) r[l] = Exp ? std::exp(v[l]) : std::log(v[l]);
    }
    store<W>(y + i, r);
  }
  if (i < n) {
    double buf[W];
    for (int l = 0; l < W; ++l) buf[l] = i + l < n ? x[i + l] : (Exp ? 0.0 : 1.0);
    D v, r;
    I bad = {};
    load<W>(v, buf);
    if (Exp)
      vmath::exp<W>(v, r, bad);
    else
      vmath::log<W>(v, r, bad);
    for (int l = 0; i + l < n; ++l) y[i + l] = bad[l] ? (Exp ? std::exp(v[l]) : std::log(v[l])) : r[l];
  }
}

template <bool Exp>
void apply_base(const double* x, double* y, int64_t n) {
  apply<2, Exp>(x, y, n);
}
#if HETMOD_HAVE_AVX2_TARGET
template <bool Exp>
HETMOD_TARGET_AVX2 void apply_avx2(const double* x, double* y, int64_t n) {
  apply<4, Exp>(x, y, n);
}
#endif

template <bool Exp>
void dispatch(const double* x, double* y, int64_t n) {
#if HETMOD_HAVE_AVX2_TARGET
  if (use_avx2()) {
    apply_avx2<Exp>(x, y, n);
    return;
  }
#endif
  apply_base<Exp>(x, y, n);
}
}  // namespace

bool use_avx2() { return g_forced.load(std::memory_order_relaxed) == 0 && cpu_has_avx2(); }

void force_baseline(bool on) { g_forced.store(on ? 1 : 0, std::memory_order_relaxed); }

void exp_array(const double* x, double* y, int64_t n) { dispatch<true>(x, y, n); }
void log_array(const double* x, double* y, int64_t n) { dispatch<false>(x, y, n); }

}  // namespace hetmod::numeric::vmath
