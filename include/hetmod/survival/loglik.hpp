// hetmod/survival/loglik.hpp -- internal likelihood kernels of the APGW family (not part of the facade).
//
// Layers, bottom up (all in namespace hetmod::survival::detail):
//  1. Shape kernels of (s, k) with s = log u = gamma (log phi + log t) and k = log(1 + kappa): the unit
//     cumulative hazard M (H = lambda M) and l = log dM/ds (log h = log lambda + log gamma - log t + l),
//     each with first and second derivatives in (s, k).
//  2. TimeEval: log h(t) and H(t) with gradients/Hessians in the four linear predictors
//     eta = (log phi, log lambda, log gamma, log(1 + kappa)).
//  3. obs_loglik: one observation's weighted contribution (spec 1.6) with derivatives in the four slot
//     predictors xi (which equal eta except for Dist::pgw, whose kappa slot is log kappa).
//  4. Model: an owned, validated copy of data + designs (row-major), and eval(): total log-likelihood,
//     score and Hessian in the coefficient vector.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "hetmod/survival/model.hpp"

namespace hetmod::survival::detail {

/// Which closed-form shape the distribution uses.
enum class Kernel : int { apgw = 0, weibull = 1, burr = 2, gompertz = 3, cure = 4 };

/// A function of (s, k) with its derivatives.
struct SK {
  double v = 0, s = 0, k = 0, ss = 0, sk = 0, kk = 0;
};

/// Kernel output: M (unit cumulative hazard) and l = log dM/ds.
struct KernelOut {
  SK M, l;
};

/// Evaluates a shape kernel at s = log u and k = log(1 + kappa) (k ignored except for apgw).
void eval_kernel(Kernel kern, double s, double k, KernelOut& out);

/// expm1(z)/z and its first two derivatives in z, stable through z = 0.
void expm1_over_z(double z, double& e0, double& e1, double& e2);

/// Unit cumulative hazard M(u) for a kernel (kappa = expm1(k)) and its inverse (u with M(u) = m;
/// +Inf when m is beyond the cure plateau).
double unit_cumhaz(Kernel kern, double k, double u);
double unit_cumhaz_inverse(Kernel kern, double k, double m);

/// log h(t) and H(t) with derivatives in eta (4) -- Hessians as 4x4 row-major.
struct TimeEval {
  double logh = 0, H = 0;
  double glogh[4] = {0, 0, 0, 0}, gH[4] = {0, 0, 0, 0};
  double hlogh[16] = {0}, hH[16] = {0};
};
/// eta: the four kernel predictors; logt = log t. order 0: values only; 1: + gradients; 2: + Hessians.
void eval_time(Kernel kern, const double eta[4], double logt, int order, TimeEval& out);

/// exp(eta_lambda), exp(eta_gamma), 1 + kappa and kappa, recomputed only when the predictor changes
/// (rows with the same covariate pattern share them).
struct EtaCache {
  double e1 = std::numeric_limits<double>::quiet_NaN(), e2 = e1, e3 = e1;
  double lam = 0, gam = 0, a = 0, kap = 0;
  double e1b = e1, e2b = e1, lamb = 0, gamb = 0;  ///< the previous lambda / gamma entries (two-level factors)
  /// Inline: called once per row of eval()'s loop. Two entries each for lambda and gamma (rows of a
  /// two-level factor alternate between two predictors).
  void update(const double eta[4]) {
    if (eta[1] != e1) {
      std::swap(e1, e1b);
      std::swap(lam, lamb);
      if (eta[1] != e1) {
        e1 = eta[1];
        lam = std::exp(e1);
      }
    }
    if (eta[2] != e2) {
      std::swap(e2, e2b);
      std::swap(gam, gamb);
      if (eta[2] != e2) {
        e2 = eta[2];
        gam = std::exp(e2);
      }
    }
    if (eta[3] != e3) {
      e3 = eta[3];
      a = std::exp(e3);
      kap = std::expm1(e3);
    }
  }
};
/// As above with a cache already updated for eta.
void eval_time(Kernel kern, const double eta[4], double logt, int order, TimeEval& out, const EtaCache& cache);

/// How a Dist maps its slots to the kernel.
struct DistInfo {
  Dist dist = Dist::apgw;
  Kernel kernel = Kernel::apgw;
  std::array<bool, 4> structural{};  ///< slot fixed by the distribution (must have p == 0)
  std::array<double, 4> fixed{};     ///< structural value of the slot's predictor
  bool pgw_link = false;             ///< kappa slot holds log kappa and lambda = kappa/(1+kappa)
};
DistInfo dist_info(Dist d);

/// Maps slot predictors xi (4) to kernel predictors eta (4).
void slots_to_eta(const DistInfo& info, const double xi[4], double eta[4]);

/// One observation's weighted log-likelihood contribution at slot predictors xi. status: 0 right,
/// 1 event, 2 left, 3 interval (t, t2]; logv = log(entry) or -Inf for none. g (4) and h (16, row-major)
/// receive derivatives in xi when order >= 1 / 2 (may be null otherwise).
double obs_loglik(const DistInfo& info, const double xi[4], int status, double logt, double logt2, double logv,
                  double w, int order, double* g, double* h, EtaCache* cache = nullptr);

/// Owned, validated model: data and designs (row-major copies).
struct Model {
  DistInfo info;
  int64_t n = 0;
  std::vector<int32_t> status;
  std::vector<double> logt, logt2, logv, w;  ///< logv = -Inf when no truncation
  std::array<std::vector<double>, 4> x;      ///< n x p row-major
  std::array<std::vector<double>, 4> off;    ///< n (zeros when none)
  std::array<int, 4> p{}, start{};
  int ptot = 0;
  /// Mean of off[j] over the rows (summed in row order; set by build_model, kept by fit.cpp's restrict_model).
  std::array<double, 4> off_mean{};
  /// Every row is an event or right-censored without truncation (status 0/1, logv = -Inf); false = unknown
  /// (the fused Weibull rows then check each block).
  bool simple_rows = false;
  double gamma_max = 1e300;  ///< eval returns -Inf when any eta_gamma exceeds it
  double k_min = -1e300;     ///< eval returns -Inf when any apgw log(1+kappa) is below it
  /// Threads of eval()'s row loop over fixed chunks of kEvalChunk rows reduced in chunk order, so every
  /// thread count (1 included) gives the same bits; <= 0: all hardware threads.
  int threads = 1;

  /// Slot predictors of row i at coefficient vector beta.
  void slots(int64_t i, const double* beta, double xi[4]) const {
    for (int j = 0; j < 4; ++j) {
      double e = off[j][static_cast<size_t>(i)];
      const double* xr = x[j].data() + i * p[j];
      const double* b = beta + start[j];
      for (int c = 0; c < p[j]; ++c) e += xr[c] * b[c];
      xi[j] = info.structural[j] ? info.fixed[j] : e;
    }
  }
};

/// Validates data + design for dist and builds a Model (throws Error(invalid_argument) naming fn).
Model build_model(const char* fn, const SurvData& data, const Design& design, Dist dist);

/// Per-thread counters of eval() calls by derivative order and of rows visited (profiling aid for
/// bench/survival/timing_survival.cpp; a few increments per call, no effect on results).
struct EvalCounters {
  int64_t calls[3] = {0, 0, 0};
  int64_t rows = 0;
  void reset() { *this = EvalCounters(); }
};
EvalCounters& eval_counters();

/// Total log-likelihood at beta (length m.ptot); grad (ptot) and hess (ptot*ptot, column-major) are
/// accumulated when non-null. Returns -Inf (no throw) outside the domain or when non-finite.
/// scores: when non-null, receives the n x ptot row-major per-observation scores.
/// score_outer: when non-null (ptot*ptot), receives sum_i s_i s_i' of the per-observation scores (the
/// "meat" of the sandwich) without storing the n x ptot scores.
/// APGW event / right-censored rows run in vector lanes with hetmod's own exp / log (src/numeric/vmath.hpp):
/// within ~1e-15 relative of obs_loglik summed row by row, and bit-identical for every thread count and
/// with or without AVX2.
double eval(const Model& m, const double* beta, double* grad, double* hess, std::vector<double>* scores = nullptr,
            double* score_outer = nullptr);
/// Sums of a Weibull-kernel model (weibull / exponential) at beta over rows with weight w > 0: D = sum w d,
/// SH = sum w H_i, Q = sum w d log h_i (so the log-likelihood is Q - SH), sg = sum w gamma_i, sw = sum w,
/// gamma_const (every gamma_i equal). false when a row is not an event / right-censored row without
/// truncation, the kernel is not Weibull, or a predictor is out of bounds (fit.cpp's closed-form profile
/// of the scale intercept).
struct WeibullSums {
  double D = 0, SH = 0, Q = 0, sg = 0, sw = 0;
  bool gamma_const = true;
};
bool weibull_sums(const Model& m, const double* beta, WeibullSums& out);
/// Rows per chunk of eval()'s row loop (partial sums per chunk, reduced in chunk order).
constexpr int64_t kEvalChunk = 8192;

}  // namespace hetmod::survival::detail
