// src/sem/robust.cpp -- MLR pieces: observed and first-order information of the model and the
// Yuan-Bentler (Mplus variant) trace of U Gamma (sem/robust.hpp).
//
// Outline (lavaan 0.6.14 test = "yuan.bentler.mplus", estimator = "MLR"):
// 1. Model pieces (h0): E = 1/2 Hessian of F_ML per observation (central differences of the analytic
//    gradient; lavaan observed.information = "hessian"), B0 = mean_i g_i g_i^T with the casewise
//    scores g_i = -1/2 dF(S = d_i d_i^T)/dtheta, d_i = x_i - xbar. trace_h0 = tr(E^{-1} B0).
// 2. Saturated pieces (h1): for the Mplus variant lavaan switches h1.information to "unstructured",
//    i.e. both A1 (observed h1 information) and B1 (first-order h1 information) are evaluated at the
//    sample moments (xbar, S), not at the model-implied ones. On vech coordinates
//      A1 = V = 1/2 D^T (S^-1 (x) S^-1) D,  B1 = V Gamma V,  Gamma = mean_i w_i w_i^T,
//      w_i = vech(z_i z_i^T - S), z_i = x_i - xbar,
//    so tr(A1^{-1} B1) = tr(V Gamma) = mean_i 1/2 tr((S^-1 W_i)^2) with W_i = z_i z_i^T - S, which is
//      1/2 (mean_i r_i^2 - 2 mean_i r_i + p) = 1/2 (mean_i r_i^2 - p),  r_i = z_i^T S^{-1} z_i
//    (Mardia's b_{2,p}; mean_i r_i = p with the N divisor). A mean structure adds the mean block
//    A1 = S^{-1}, B1 = S^{-1}, i.e. + p. With fixed.x, lavaan zeroes the x-x rows of A1 and drops
//    them: then the trace is computed explicitly on the remaining vech coordinates.
// 3. trace(U Gamma) = trace_h1 - trace_h0; scaling factor c = trace / df.
#include "hetmod/sem/robust.hpp"

#include <algorithm>
#include <armadillo>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "hetmod/core/check.hpp"
#include "hetmod/numeric/boost_policy.hpp"

#include "hetmod/numeric/fdiff.hpp"
#include "util.hpp"

namespace hetmod::sem::detail {


namespace {
/// Calls f(i, v, M) for every case i of x (n x p column-major, NaN = missing) with the casewise
/// saturated scores at N(mu, sigma) on the observed coordinates o_i, embedded in p / p x p (zero elsewhere):
///   v = Sigma_oo^{-1} d_o,  M = v v^T - Sigma_oo^{-1},  d_o = x_o - mu_o,
/// so d logL_i / d mu = v and d logL_i / d Sigma = M / 2 (symmetric derivative). Sigma_oo^{-1} is
/// computed once per missing-data pattern; throws if a Sigma_oo is not PD.
template <class F>
void for_each_case_score(const double* x, int64_t n, int p, const double* mu, const double* sigma, F&& f) {
  const arma::uword up = static_cast<arma::uword>(p);
  const arma::mat Sig(const_cast<double*>(sigma), up, up, false, true);
  std::map<std::vector<bool>, arma::mat> cache;  // pattern -> embedded Sigma_oo^{-1}
  std::vector<bool> mask(static_cast<std::size_t>(p));
  arma::vec v(up), d(up);
  arma::mat M(up, up);
  const std::size_t nn = static_cast<std::size_t>(n);
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < p; ++j) mask[static_cast<std::size_t>(j)] = !std::isnan(x[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * nn]);
    auto it = cache.find(mask);
    if (it == cache.end()) {
      std::vector<arma::uword> o;
      for (int j = 0; j < p; ++j)
        if (mask[static_cast<std::size_t>(j)]) o.push_back(static_cast<arma::uword>(j));
      const arma::uvec ou(o);
      arma::mat inv;
      if (!arma::inv_sympd(inv, Sig.submat(ou, ou))) check::fail("sem::casewise_scores", "the implied covariance of a missing-data pattern is not positive definite", Status::numerical);
      arma::mat full(up, up, arma::fill::zeros);
      full.submat(ou, ou) = inv;
      it = cache.emplace(mask, std::move(full)).first;
    }
    const arma::mat& Si = it->second;
    for (int j = 0; j < p; ++j) {
      const double xv = x[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * nn];
      d(static_cast<arma::uword>(j)) = std::isnan(xv) ? 0.0 : xv - mu[static_cast<std::size_t>(j)];
    }
    v = Si * d;
    M = v * v.t() - Si;
    f(i, v, M);
  }
}
}  // namespace

std::vector<double> casewise_scores(Kernel& k, const double* theta, const double* x, int64_t n, const double* mean_fallback) {
  const int q = k.ram().npar, p = k.ram().p;
  if (!k.implied(theta)) check::fail("sem::casewise_scores", "I - A is singular", Status::numerical);
  std::vector<double> dsig, dmu;
  k.jacobian(dsig, dmu);
  const bool means = k.ram().means;
  const double* mu = means ? k.mu().data() : mean_fallback;
  const std::size_t pp = static_cast<std::size_t>(p) * static_cast<std::size_t>(p), nn = static_cast<std::size_t>(n);
  std::vector<double> out(nn * static_cast<std::size_t>(q), 0.0);
  for_each_case_score(x, n, p, mu, k.sigma().data(), [&](int64_t i, const arma::vec& v, const arma::mat& M) {
    const double* Mp = M.memptr();
    for (int c = 0; c < q; ++c) {
      const double* D = dsig.data() + pp * static_cast<std::size_t>(c);
      double s = 0;
      for (std::size_t e = 0; e < pp; ++e) s += Mp[e] * D[e];
      s *= 0.5;
      if (means) {
        const double* dm = dmu.data() + static_cast<std::size_t>(p) * static_cast<std::size_t>(c);
        for (int a = 0; a < p; ++a) s += dm[a] * v(static_cast<arma::uword>(a));
      }
      out[static_cast<std::size_t>(i) + static_cast<std::size_t>(c) * nn] = s;
    }
  });
  return out;
}

void add_score_crossproduct(const std::vector<double>& scores, int64_t n, int q, std::vector<double>& B) {
  const arma::mat Sc(const_cast<double*>(scores.data()), static_cast<arma::uword>(n), static_cast<arma::uword>(q), false, true);
  const arma::mat C = Sc.t() * Sc;
  if (B.empty()) B.assign(static_cast<std::size_t>(q) * static_cast<std::size_t>(q), 0.0);
  for (std::size_t e = 0; e < B.size(); ++e) B[e] += C(e);
}

void mlr_information(Kernel& k, const std::vector<double>& theta, const std::vector<double>& raw, int64_t n,
                     const std::vector<double>& mean, std::vector<double>& E, std::vector<double>& B0) {
  const int q = k.ram().npar;
  auto gradfn = [&](const std::vector<double>& th) {
    std::vector<double> gg(static_cast<std::size_t>(q));
    k.objective(Obj::ml, th.data(), gg.data());
    return gg;
  };
  E = numeric::fd_hessian_from_gradient(gradfn, theta, 1e-5);
  for (auto& v : E) v *= 0.5;
  // casewise scores of the mean and covariance parameters (lavaan: structured h1 first-order information)
  B0.clear();
  add_score_crossproduct(casewise_scores(k, theta.data(), raw.data(), n, mean.data()), n, q, B0);
  for (auto& v : B0) v /= static_cast<double>(n);
  k.objective(Obj::ml, theta.data(), nullptr);  // leave the kernel at theta
}

double yuan_bentler_h1_trace_missing(const double* x, int64_t n, int p, const std::vector<double>& mu, const std::vector<double>& sigma) {
  // saturated parameters eta = (mu, vech Sigma); vech order (i >= j, column-major)
  std::vector<std::pair<int, int>> vi;
  for (int j = 0; j < p; ++j)
    for (int i = j; i < p; ++i) vi.push_back({i, j});
  const int ns = static_cast<int>(vi.size()), ne = p + ns;
  const std::size_t up = static_cast<std::size_t>(p);
  auto unpack = [&](const std::vector<double>& eta, std::vector<double>& m, std::vector<double>& s) {
    m.assign(eta.begin(), eta.begin() + p);
    s.assign(up * up, 0.0);
    for (int e = 0; e < ns; ++e) {
      const auto [i, j] = vi[static_cast<std::size_t>(e)];
      s[ix(i, j, p)] = s[ix(j, i, p)] = eta[static_cast<std::size_t>(p + e)];
    }
  };
  auto scores = [&](const std::vector<double>& eta, arma::mat* cases, std::vector<double>* total) {
    std::vector<double> m, s;
    unpack(eta, m, s);
    if (total) total->assign(static_cast<std::size_t>(ne), 0.0);
    for_each_case_score(x, n, p, m.data(), s.data(), [&](int64_t i, const arma::vec& v, const arma::mat& M) {
      for (int e = 0; e < ne; ++e) {
        double val;
        if (e < p) {
          val = v(static_cast<arma::uword>(e));
        } else {
          const auto [a, b] = vi[static_cast<std::size_t>(e - p)];
          val = a == b ? 0.5 * M(static_cast<arma::uword>(a), static_cast<arma::uword>(a)) : M(static_cast<arma::uword>(a), static_cast<arma::uword>(b));
        }
        if (cases) (*cases)(static_cast<arma::uword>(i), static_cast<arma::uword>(e)) = val;
        if (total) (*total)[static_cast<std::size_t>(e)] += val;
      }
    });
  };
  std::vector<double> eta(mu.begin(), mu.end());
  for (const auto& [i, j] : vi) eta.push_back(sigma[ix(i, j, p)]);
  arma::mat C(static_cast<arma::uword>(n), static_cast<arma::uword>(ne));
  scores(eta, &C, nullptr);
  const arma::mat B1 = C.t() * C / static_cast<double>(n);
  // observed information: -1/n Hessian of logL, central differences of the analytic total score
  auto negscore = [&](const std::vector<double>& e) {
    std::vector<double> t;
    scores(e, nullptr, &t);
    for (auto& v : t) v = -v / static_cast<double>(n);
    return t;
  };
  const std::vector<double> A = numeric::fd_hessian_from_gradient(negscore, eta, 1e-5);
  const arma::mat A1(const_cast<double*>(A.data()), static_cast<arma::uword>(ne), static_cast<arma::uword>(ne), false, true);
  return arma::trace(arma::solve(A1, B1));
}

double yuan_bentler_baseline_h0_trace_missing(const double* x, int64_t n, int p) {
  const std::size_t nn = static_cast<std::size_t>(n);
  double tr = 0;
  for (int k = 0; k < p; ++k) {
    double s1 = 0, cnt = 0;
    for (std::size_t i = 0; i < nn; ++i) {
      const double v = x[i + static_cast<std::size_t>(k) * nn];
      if (!std::isnan(v)) {
        s1 += v;
        cnt += 1;
      }
    }
    const double m = s1 / cnt;
    double s2 = 0, m4 = 0;
    for (std::size_t i = 0; i < nn; ++i) {
      const double v = x[i + static_cast<std::size_t>(k) * nn];
      if (std::isnan(v)) continue;
      const double z2 = (v - m) * (v - m);
      s2 += z2;
      m4 += z2 * z2;
    }
    s2 /= cnt;
    m4 /= cnt;
    tr += 0.5 * (m4 / (s2 * s2) - 1.0) + 1.0;
  }
  return tr;
}

double yuan_bentler_h1_trace(const std::vector<double>& raw, int64_t n, const std::vector<double>& mean,
                             const std::vector<double>& cov, const std::vector<bool>& isx, bool meanstructure, int* ndat) {
  const int p = static_cast<int>(mean.size());
  const arma::mat S(const_cast<double*>(cov.data()), static_cast<arma::uword>(p), static_cast<arma::uword>(p), false, true);
  const arma::mat Si = arma::inv_sympd(S);
  int nx = 0;
  for (int i = 0; i < p; ++i) nx += isx[static_cast<std::size_t>(i)] ? 1 : 0;
  const std::size_t nn = static_cast<std::size_t>(n);
  arma::mat Z(static_cast<arma::uword>(n), static_cast<arma::uword>(p));
  for (int j = 0; j < p; ++j)
    for (int64_t i = 0; i < n; ++i)
      Z(static_cast<arma::uword>(i), static_cast<arma::uword>(j)) = raw[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * nn] - mean[static_cast<std::size_t>(j)];
  const int pmean = meanstructure ? p - nx : 0;
  if (ndat) *ndat = p * (p + 1) / 2 - nx * (nx + 1) / 2 + pmean;
  if (nx == 0) {
    const arma::mat ZS = Z * Si;
    const arma::vec r = arma::sum(ZS % Z, 1);
    return 0.5 * (arma::mean(r % r) - p) + pmean;
  }
  // explicit: vech coordinates without the x-x moments
  std::vector<std::pair<int, int>> vi;
  for (int j = 0; j < p; ++j)
    for (int i = j; i < p; ++i)
      if (!(isx[static_cast<std::size_t>(i)] && isx[static_cast<std::size_t>(j)])) vi.push_back({i, j});
  std::vector<std::pair<int, int>> all;
  for (int j = 0; j < p; ++j)
    for (int i = j; i < p; ++i) all.push_back({i, j});
  const int pv = static_cast<int>(all.size()), pr = static_cast<int>(vi.size());
  // V = 1/2 D^T (Si (x) Si) D on vech coordinates: at ((i,j),(k,l)) it is
  // m_ij m_kl / 4 * (Si_ik Si_jl + Si_il Si_jk), m = 2 off the diagonal and 1 on it.
  auto vel = [&](std::pair<int, int> a, std::pair<int, int> b) {
    const int i = a.first, j = a.second, k = b.first, l = b.second;
    double v = Si(static_cast<arma::uword>(i), static_cast<arma::uword>(k)) * Si(static_cast<arma::uword>(j), static_cast<arma::uword>(l)) +
               Si(static_cast<arma::uword>(i), static_cast<arma::uword>(l)) * Si(static_cast<arma::uword>(j), static_cast<arma::uword>(k));
    if (i == j) v *= 0.5;
    if (k == l) v *= 0.5;
    return v;
  };
  arma::mat Vfull(static_cast<arma::uword>(pv), static_cast<arma::uword>(pr));
  for (int c = 0; c < pr; ++c)
    for (int r = 0; r < pv; ++r) Vfull(static_cast<arma::uword>(r), static_cast<arma::uword>(c)) = vel(all[static_cast<std::size_t>(r)], vi[static_cast<std::size_t>(c)]);
  arma::mat W(static_cast<arma::uword>(n), static_cast<arma::uword>(pv));
  for (int r = 0; r < pv; ++r) {
    const auto e = all[static_cast<std::size_t>(r)];
    W.col(static_cast<arma::uword>(r)) = Z.col(static_cast<arma::uword>(e.first)) % Z.col(static_cast<arma::uword>(e.second)) -
                                         S(static_cast<arma::uword>(e.first), static_cast<arma::uword>(e.second));
  }
  const arma::mat Sc = W * Vfull;                 // casewise scores on the kept coordinates
  const arma::mat B1 = Sc.t() * Sc / static_cast<double>(n);
  arma::mat A1(static_cast<arma::uword>(pr), static_cast<arma::uword>(pr));
  for (int c = 0; c < pr; ++c)
    for (int r = 0; r < pr; ++r) A1(static_cast<arma::uword>(r), static_cast<arma::uword>(c)) = vel(vi[static_cast<std::size_t>(r)], vi[static_cast<std::size_t>(c)]);
  double tr = arma::trace(arma::solve(A1, B1));
  if (meanstructure) {
    // mean block on the non-x means: A1 = (S^-1)_yy, B1 = mean (S^-1 z)(S^-1 z)^T restricted
    std::vector<arma::uword> yi;
    for (int i = 0; i < p; ++i)
      if (!isx[static_cast<std::size_t>(i)]) yi.push_back(static_cast<arma::uword>(i));
    const arma::uvec y(yi);
    const arma::mat G = (Z * Si).eval().cols(y);
    tr += arma::trace(arma::solve(Si.submat(y, y), G.t() * G / static_cast<double>(n)));
  }
  return tr;
}

YuanBentler yuan_bentler_mplus(const std::vector<double>& raw, int64_t n, const std::vector<double>& mean,
                               const std::vector<double>& cov, const std::vector<bool>& isx, bool meanstructure,
                               const std::vector<double>& E, const std::vector<double>& B0) {
  YuanBentler yb;
  const arma::uword q = static_cast<arma::uword>(std::lround(std::sqrt(static_cast<double>(E.size()))));
  try {
    const arma::mat Em(const_cast<double*>(E.data()), q, q, false, true);
    const arma::mat Bm(const_cast<double*>(B0.data()), q, q, false, true);
    arma::mat Einv;
    if (!arma::inv(Einv, Em)) return yb;
    yb.trace_h0 = arma::accu(Bm % Einv.t());
    yb.trace_h1 = yuan_bentler_h1_trace(raw, n, mean, cov, isx, meanstructure, &yb.h1_ndat);
    yb.ok = std::isfinite(yb.trace_h0) && std::isfinite(yb.trace_h1);
  } catch (const std::exception&) {
    yb.ok = false;
  }
  return yb;
}

double yuan_bentler_baseline_h0_trace(const std::vector<double>& raw, int64_t n, const std::vector<double>& mean,
                                      const std::vector<double>& cov, const std::vector<bool>& isx, bool meanstructure) {
  const int p = static_cast<int>(mean.size());
  const std::size_t nn = static_cast<std::size_t>(n);
  double tr = 0;
  for (int k = 0; k < p; ++k) {
    if (isx[static_cast<std::size_t>(k)]) continue;
    const double s = cov[ix(k, k, p)];
    double m4 = 0;
    for (std::size_t i = 0; i < nn; ++i) {
      const double z = raw[i + static_cast<std::size_t>(k) * nn] - mean[static_cast<std::size_t>(k)];
      m4 += z * z * z * z;
    }
    m4 /= static_cast<double>(n);
    tr += 0.5 * (m4 / (s * s) - 1.0) + (meanstructure ? 1.0 : 0.0);
  }
  return tr;
}

void fill_mlr_measures(FitMeasures& fm, const YuanBentler& yb, double bh0, double N) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (!yb.ok || fm.df <= 0) return;
  const double df = fm.df, dfb = fm.baseline_df, X2 = fm.chisq, X2b = fm.baseline_chisq;
  const double trace = yb.trace_h1 - yb.trace_h0;
  double c = trace / df;
  if (!(c > 0)) c = kNaN;
  fm.scaling_factor = c;
  fm.chisq_scaled = X2 / c;
  if (std::isfinite(fm.chisq_scaled)) {
    boost::math::chi_squared_distribution<double, numeric::Policy> d(df);
    fm.pvalue_scaled = fm.chisq_scaled <= 0 ? 1.0 : boost::math::cdf(boost::math::complement(d, fm.chisq_scaled));
  }
  double cb = dfb > 0 ? (yb.trace_h1 - bh0) / dfb : kNaN;
  if (!(cb > 0)) cb = kNaN;
  fm.baseline_scaling_factor = cb;
  fm.baseline_chisq_scaled = X2b / cb;
  auto cfi = [](double x2, double d, double x2b, double db, double ch, double chb) {
    const double t1 = std::max(x2 - ch * d, 0.0), t2 = std::max({x2 - ch * d, x2b - chb * db, 0.0});
    if (std::fabs(t1) < 1.5e-8 && std::fabs(t2) < 1.5e-8) return 1.0;
    return 1.0 - t1 / t2;
  };
  auto tli = [](double x2, double d, double x2b, double db, double ch, double chb) {
    const double t1 = (x2 - ch * d) * db, t2 = (x2b - chb * db) * d;
    if (!std::isfinite(t1) || !std::isfinite(t2)) return std::numeric_limits<double>::quiet_NaN();
    return std::fabs(t2) > 0 ? 1.0 - t1 / t2 : 1.0;
  };
  if (std::isfinite(c) && std::isfinite(cb)) {
    fm.cfi_scaled = cfi(fm.chisq_scaled, df, fm.baseline_chisq_scaled, dfb, 1.0, 1.0);
    fm.tli_scaled = tli(fm.chisq_scaled, df, fm.baseline_chisq_scaled, dfb, 1.0, 1.0);
    const bool unit = c == 1.0 || cb == 1.0;  // lavaan falls back to the plain formula
    fm.cfi_robust = cfi(X2, df, X2b, dfb, unit ? 1.0 : c, unit ? 1.0 : cb);
    fm.tli_robust = tli(X2, df, X2b, dfb, unit ? 1.0 : c, unit ? 1.0 : cb);
  }
  if (std::isfinite(c)) {
    fm.rmsea_scaled = std::sqrt(std::max((X2 / N) / trace - 1.0 / N, 0.0));
    fm.rmsea_robust = std::sqrt(std::max((X2 / N) / df - c / N, 0.0));
  }
}

}  // namespace hetmod::sem::detail
