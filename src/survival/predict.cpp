// hetmod/survival/predict.cpp -- predictions with delta-method SEs and CIs (spec/survival.md section 4).
//
// Outline
//  1. Row predictors: xi_j = offset + x_j beta_j for the newdesign (and reference) rows.
//  2. Analytic quantities at (row, t): log h and H with gradients in the slot predictors (loglik.hpp kernels,
//     PGW link applied), chained to the coefficients: d/d beta = g_xi (x) x_row.
//       survival S = exp(-H): CI on the log(-log S) = log H scale;  hazard, cumhaz, density f = h S: log scale;
//       hazard_ratio h_i(t) / h_ref(t): log scale.
//  3. Finite-difference gradients (central, step 1e-6 max(1, |beta|)) for quantile t_p = phi^-1 [M^-1(-log(1-p)
//     / lambda)]^(1/gamma), RMST = int_0^tau S(t) dt (adaptive Gauss-Kronrod, hetmod Boost policy), the cure
//     fraction exp(-H(inf)) (APGW kappa < 0: H(inf) = lambda (1+kappa)/(-kappa); cure limit: theta; else 0) on
//     the logit scale, and time_ratio = t_p(row) / t_p(reference row) on the log scale.
//  4. se = sqrt(g' V g) on the natural scale; CI = back-transform of (transform +- z se_transform).
#include <cmath>
#include <functional>
#include <limits>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/boost_policy.hpp"
#include "hetmod/survival/loglik.hpp"
#include "hetmod/survival/model.hpp"

namespace hetmod::survival {

namespace {
using detail::DistInfo;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Rows {
  int64_t n = 0;
  const Design* d = nullptr;
  std::array<int, 4> p{}, start{};
  void slots(int64_t i, const double* beta, const DistInfo& info, double xi[4]) const {
    for (size_t j = 0; j < 4; ++j) {
      const ParDesign& pd = d->par[j];
      double e = pd.offset.empty() ? 0.0 : pd.offset[i];
      for (int c = 0; c < p[j]; ++c) e += pd.x(i, c) * beta[start[j] + c];
      xi[j] = info.structural[j] ? info.fixed[j] : e;
    }
  }
  double xval(size_t j, int64_t i, int c) const { return d->par[j].x(i, c); }
};

Rows check_rows(const char* fn, const SurvFit& f, const Design& des, const char* what) {
  Rows r;
  r.d = &des;
  int64_t n = -1;
  for (size_t j = 0; j < 4; ++j) {
    const ParDesign& pd = des.par[j];
    const int64_t p = pd.x.empty() ? 0 : pd.x.ncol;
    const std::string nm = std::string(what) + " " + par_name(static_cast<Par>(j));
    if (p != f.block_size[j])
      check::fail(fn, nm + " has " + std::to_string(p) + " columns, but the fit has " +
                          std::to_string(f.block_size[j]));
    r.p[j] = static_cast<int>(p);
    r.start[j] = f.block_start[j];
    auto setn = [&](int64_t rows) {
      if (n < 0) n = rows;
      else if (rows != n)
        check::fail(fn, nm + " has " + std::to_string(rows) + " rows, but other blocks have " + std::to_string(n));
    };
    if (p > 0) {
      setn(pd.x.nrow);
      check::finite(fn, nm.c_str(), pd.x.data, pd.x.nrow * p);
    }
    if (!pd.offset.empty()) {
      setn(pd.offset.n);
      check::finite(fn, (nm + " offset").c_str(), pd.offset.data, pd.offset.n);
    }
  }
  r.n = n < 0 ? 1 : n;
  return r;
}

// log h, H and their gradients in the slot predictors.
void slot_time(const DistInfo& info, const double xi[4], double logt, double& logh, double& H, double gl[4],
               double gH[4]) {
  double eta[4];
  detail::slots_to_eta(info, xi, eta);
  detail::TimeEval te;
  detail::eval_time(info.kernel, eta, logt, 1, te);
  logh = te.logh;
  H = te.H;
  for (int a = 0; a < 4; ++a) {
    gl[a] = te.glogh[a];
    gH[a] = te.gH[a];
  }
  if (info.pgw_link) {
    const double r = 1.0 / (1.0 + std::exp(-xi[3]));
    gl[3] = (1 - r) * gl[1] + r * gl[3];
    gH[3] = (1 - r) * gH[1] + r * gH[3];
    gl[1] = gH[1] = 0.0;
  }
  for (size_t j = 0; j < 4; ++j)
    if (info.structural[j]) gl[j] = gH[j] = 0.0;
}

double quantile_at(const DistInfo& info, const double xi[4], double p) {
  double eta[4];
  detail::slots_to_eta(info, xi, eta);
  const double m = -std::log1p(-p) / std::exp(eta[1]);
  const double u = detail::unit_cumhaz_inverse(info.kernel, eta[3], m);
  if (!std::isfinite(u)) return kInf;
  return std::exp((std::log(u)) / std::exp(eta[2]) - eta[0]);
}

double cure_at(const DistInfo& info, const double xi[4]) {
  double eta[4];
  detail::slots_to_eta(info, xi, eta);
  if (info.kernel == detail::Kernel::cure) return std::exp(-std::exp(eta[1]));
  if (info.kernel == detail::Kernel::apgw && eta[3] < 0) {
    const double kap = std::expm1(eta[3]);
    return std::exp(std::exp(eta[1] + eta[3]) / kap);
  }
  return 0.0;
}

double rmst_at(const DistInfo& info, const double xi[4], double tau) {
  double eta[4];
  detail::slots_to_eta(info, xi, eta);
  auto S = [&](double t) {
    if (t <= 0) return 1.0;
    detail::TimeEval te;
    detail::eval_time(info.kernel, eta, std::log(t), 0, te);
    return std::exp(-te.H);
  };
  return boost::math::quadrature::gauss_kronrod<double, 21, numeric::Policy>::integrate(S, 0.0, tau, 15, 1e-12);
}
}  // namespace

Prediction predict(const SurvFit& fit, const Design& newdesign, const std::vector<double>& at, PredictType type,
                   double level, const Design* reference) {
  const char* fn = "surv_predict";
  const int ti = static_cast<int>(type);
  check::require(ti >= 0 && ti <= 8, fn, "type is " + std::to_string(ti) + ", but must be in 0..8");
  check::require(level > 0 && level < 1, fn, "level is " + check::fmt(level) + ", but must be in (0, 1)");
  const size_t P = fit.result.coef.size();
  const DistInfo info = detail::dist_info(fit.dist);
  const Rows rows = check_rows(fn, fit, newdesign, "newdesign");
  Rows ref;
  const bool needs_ref = type == PredictType::hazard_ratio || type == PredictType::time_ratio;
  if (needs_ref) {
    check::require(reference != nullptr, fn, "reference is NULL, but hazard_ratio / time_ratio need a reference design");
    ref = check_rows(fn, fit, *reference, "reference");
    check::require(ref.n == rows.n || ref.n == 1, fn,
                   "reference has " + std::to_string(ref.n) + " rows, but must have 1 or " + std::to_string(rows.n));
  }
  std::vector<double> pts = at;
  if (type == PredictType::cure) pts.assign(1, 0.0);
  check::require(!pts.empty(), fn, "at is empty");
  for (size_t k = 0; k < pts.size(); ++k) {
    const std::string nm = "at[" + std::to_string(k) + "]";
    const double a = pts[k];
    if (type == PredictType::quantile || type == PredictType::time_ratio) {
      if (!(a > 0 && a < 1)) check::fail(fn, nm + " is " + check::fmt(a) + ", but must be a probability in (0, 1)");
    } else if (type != PredictType::cure) {
      if (!(std::isfinite(a) && a > 0)) check::fail(fn, nm + " is " + check::fmt(a) + ", but must be > 0");
    }
  }
  const bool have_v = fit.result.vcov.size() == P * P;
  const double z = numeric::normal_quantile(1.0 - (1.0 - level) / 2.0);
  const std::vector<double>& beta = fit.result.coef;

  Prediction out;
  out.nrow = rows.n;
  out.ncol = static_cast<int64_t>(pts.size());
  const size_t N = static_cast<size_t>(out.nrow * out.ncol);
  out.estimate.assign(N, kNaN);
  out.se.assign(N, kNaN);
  out.lower.assign(N, kNaN);
  out.upper.assign(N, kNaN);

  auto quad = [&](const std::vector<double>& g) {
    if (!have_v) return kNaN;
    double s = 0;
    for (size_t a = 0; a < P; ++a)
      for (size_t b = 0; b < P; ++b) s += g[a] * fit.result.vcov[a + b * P] * g[b];
    if (std::isnan(s)) return kNaN;  // no valid covariance (e.g. a boundary fit): no SE, no interval
    return std::sqrt(std::max(0.0, s));
  };
  // Chain slot gradient to coefficients.
  auto chain = [&](const Rows& r, int64_t i, const double gs[4], double sign, std::vector<double>& g) {
    for (size_t j = 0; j < 4; ++j)
      for (int c = 0; c < r.p[j]; ++c) g[static_cast<size_t>(r.start[j] + c)] += sign * gs[j] * r.xval(j, i, c);
  };
  auto fd = [&](const std::function<double(const double*)>& f, std::vector<double>& g) {
    std::vector<double> b = beta;
    for (size_t k = 0; k < P; ++k) {
      const double h = 1e-6 * std::max(1.0, std::fabs(beta[k]));
      b[k] = beta[k] + h;
      const double fp = f(b.data());
      b[k] = beta[k] - h;
      const double fm = f(b.data());
      b[k] = beta[k];
      g[k] = (fp - fm) / (2 * h);
    }
  };

  for (int64_t i = 0; i < rows.n; ++i) {
    const int64_t ir = needs_ref ? (ref.n == 1 ? 0 : i) : 0;
    for (size_t k = 0; k < pts.size(); ++k) {
      const size_t o = static_cast<size_t>(i) + k * static_cast<size_t>(rows.n);
      const double a = pts[k];
      std::vector<double> g(P, 0.0);  // gradient of the transformed quantity
      double est = kNaN, tr = kNaN;   // natural-scale estimate and transformed value
      // transform kinds: 0 log, 1 log-log (survival), 2 logit
      int kind = 0;
      double xi[4], xr[4], gl[4], gH[4], gl2[4], gH2[4], logh, H, logh2, H2;
      rows.slots(i, beta.data(), info, xi);
      switch (type) {
        case PredictType::survival:
        case PredictType::cumhaz:
        case PredictType::hazard:
        case PredictType::density: {
          slot_time(info, xi, std::log(a), logh, H, gl, gH);
          if (type == PredictType::survival || type == PredictType::cumhaz) {
            double gs[4];
            for (int j = 0; j < 4; ++j) gs[j] = gH[j] / H;  // d log H
            chain(rows, i, gs, 1.0, g);
            tr = std::log(H);
            est = type == PredictType::survival ? std::exp(-H) : H;
            kind = type == PredictType::survival ? 1 : 0;
          } else if (type == PredictType::hazard) {
            chain(rows, i, gl, 1.0, g);
            tr = logh;
            est = std::exp(logh);
          } else {
            double gs[4];
            for (int j = 0; j < 4; ++j) gs[j] = gl[j] - gH[j];
            chain(rows, i, gs, 1.0, g);
            tr = logh - H;
            est = std::exp(tr);
          }
          break;
        }
        case PredictType::hazard_ratio: {
          ref.slots(ir, beta.data(), info, xr);
          slot_time(info, xi, std::log(a), logh, H, gl, gH);
          slot_time(info, xr, std::log(a), logh2, H2, gl2, gH2);
          chain(rows, i, gl, 1.0, g);
          chain(ref, ir, gl2, -1.0, g);
          tr = logh - logh2;
          est = std::exp(tr);
          break;
        }
        case PredictType::quantile:
        case PredictType::rmst:
        case PredictType::time_ratio: {
          auto f = [&](const double* b) {
            double x1[4];
            rows.slots(i, b, info, x1);
            if (type == PredictType::quantile) return std::log(quantile_at(info, x1, a));
            if (type == PredictType::rmst) return std::log(rmst_at(info, x1, a));
            double x2[4];
            ref.slots(ir, b, info, x2);
            return std::log(quantile_at(info, x1, a)) - std::log(quantile_at(info, x2, a));
          };
          tr = f(beta.data());
          est = std::exp(tr);
          if (std::isfinite(tr)) fd(f, g);
          else std::fill(g.begin(), g.end(), kNaN);
          break;
        }
        case PredictType::cure: {
          auto f = [&](const double* b) {
            double x1[4];
            rows.slots(i, b, info, x1);
            const double p = cure_at(info, x1);
            return std::log(p) - std::log1p(-p);
          };
          est = cure_at(info, xi);
          kind = 2;
          if (est > 0 && est < 1) {
            tr = f(beta.data());
            fd(f, g);
          }
          break;
        }
      }
      out.estimate[o] = est;
      if (!std::isfinite(tr)) {
        if (type == PredictType::cure && est == 0.0) out.se[o] = 0.0, out.lower[o] = out.upper[o] = 0.0;
        continue;
      }
      const double st = quad(g);  // SE on the transformed scale
      double lo = tr - z * st, hi = tr + z * st;
      switch (kind) {
        case 0:
          out.se[o] = est * st;
          out.lower[o] = std::exp(lo);
          out.upper[o] = std::exp(hi);
          break;
        case 1:  // survival: S = exp(-exp(tr)), dS/dtr = -S H
          out.se[o] = est * std::exp(tr) * st;
          out.lower[o] = std::exp(-std::exp(hi));
          out.upper[o] = std::exp(-std::exp(lo));
          break;
        default:  // logit
          out.se[o] = est * (1 - est) * st;
          out.lower[o] = 1.0 / (1.0 + std::exp(-lo));
          out.upper[o] = 1.0 / (1.0 + std::exp(-hi));
          break;
      }
    }
  }
  return out;
}

}  // namespace hetmod::survival
