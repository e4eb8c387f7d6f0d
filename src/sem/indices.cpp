// src/sem/indices.cpp -- see indices.hpp.
#include "indices.hpp"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/non_central_chi_squared.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/core/error.hpp"
#include "hetmod/numeric/boost_policy.hpp"
#include "hetmod/numeric/linalg.hpp"
#include "util.hpp"

namespace hetmod::sem::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Root of f(lambda) = pchisq(x, df, lambda) - target on [lo, hi] (f decreasing in lambda), TOMS 748.
double ncp_root(double x, double df, double target, double lo, double hi) {
  auto f = [&](double lam) { return pchisq_nc(x, df, lam) - target; };
  boost::uintmax_t maxit = 100;
  const auto r = boost::math::tools::toms748_solve(
      f, lo, hi, f(lo), f(hi),
      [](double a, double b) { return std::fabs(a - b) <= 1e-12 * std::max(1.0, std::fabs(b)); }, maxit,
      numeric::Policy());
  return 0.5 * (r.first + r.second);
}

}  // namespace

double pchisq_upper(double x, double df) {
  if (!(df > 0) || !std::isfinite(x)) return kNaN;
  if (x <= 0) return 1.0;
  boost::math::chi_squared_distribution<double, numeric::Policy> d(df);
  return boost::math::cdf(boost::math::complement(d, x));
}

double pchisq_nc(double x, double df, double ncp) {
  if (x <= 1e-10) return 0.0;
  if (ncp <= 0) {
    boost::math::chi_squared_distribution<double, numeric::Policy> d(df);
    return boost::math::cdf(d, x);
  }
  try {
    boost::math::non_central_chi_squared_distribution<double, numeric::Policy> d(df, ncp);
    return boost::math::cdf(d, x);
  } catch (const std::exception&) {
    return x < df + ncp ? 0.0 : 1.0;  // far tails only
  }
}

double max_abs(const std::vector<double>& g) {
  double m = 0;
  for (double v : g) m = std::max(m, std::fabs(v));
  return m;
}

std::vector<double> se_from_vcov(const std::vector<double>& vcov, int q) {
  std::vector<double> se(static_cast<std::size_t>(q), std::numeric_limits<double>::quiet_NaN());
  for (int i = 0; i < q; ++i) {
    const double v = vcov[static_cast<std::size_t>(i) * (static_cast<std::size_t>(q) + 1)];
    if (v >= 0) se[static_cast<std::size_t>(i)] = std::sqrt(v);
  }
  return se;
}

std::vector<double> uls_information(Kernel& k) {
  const int q = k.ram().npar, p = k.ram().p;
  std::vector<double> ds, dm;
  k.jacobian(ds, dm);
  const std::size_t pp = static_cast<std::size_t>(p) * static_cast<std::size_t>(p), qu = static_cast<std::size_t>(q);
  std::vector<double> info(qu * qu, 0.0);
  for (std::size_t a = 0; a < qu; ++a)
    for (std::size_t b = 0; b <= a; ++b) {
      double s = 0;
      const double* Da = ds.data() + pp * a;
      const double* Db = ds.data() + pp * b;
      for (int j = 0; j < p; ++j)
        for (int i = j; i < p; ++i) {
          const std::size_t e = static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * static_cast<std::size_t>(p);
          s += Da[e] * Db[e];
        }
      if (k.ram().means)
        for (int i = 0; i < p; ++i) s += dm[static_cast<std::size_t>(p) * a + static_cast<std::size_t>(i)] * dm[static_cast<std::size_t>(p) * b + static_cast<std::size_t>(i)];
      info[a + b * qu] = info[b + a * qu] = s;
    }
  return info;
}

void comparative_indices(double X2, double df, double X2b, double dfb, FitMeasures& fm) {
  const double t1 = std::max(X2 - df, 0.0);
  const double t2 = std::max({X2 - df, X2b - dfb, 0.0});
  fm.cfi = (t1 == 0 && t2 == 0) ? 1.0 : 1.0 - t1 / t2;
  if (df > 0) {
    const double u1 = X2b / dfb - X2 / df, u2 = X2b / dfb - 1.0;
    fm.tli = (u1 < 0 && u2 < 0) ? 1.0 : u1 / u2;
  } else {
    fm.tli = 1.0;
  }
}

void rmsea_indices(double X2, double df, double N, int G, FitMeasures& fm) {
  if (!(df > 0)) {
    fm.rmsea = fm.rmsea_ci_lower = fm.rmsea_ci_upper = 0;
    fm.rmsea_pvalue = kNaN;
    return;
  }
  const double sg = std::sqrt(static_cast<double>(G));
  fm.rmsea = std::sqrt(std::max((X2 / N) / df - 1.0 / N, 0.0)) * sg;
  if (pchisq_nc(X2, df, 0.0) - 0.95 < 0) {
    fm.rmsea_ci_lower = 0;
  } else {
    fm.rmsea_ci_lower = std::sqrt(ncp_root(X2, df, 0.95, 0.0, X2) / (N * df)) * sg;
  }
  const double nr = std::max(N, X2 * 4);
  if (pchisq_nc(X2, df, nr) - 0.05 > 0 || pchisq_nc(X2, df, 0.0) - 0.05 < 0) {
    fm.rmsea_ci_upper = 0;
  } else {
    fm.rmsea_ci_upper = std::sqrt(ncp_root(X2, df, 0.05, 0.0, nr) / (N * df)) * sg;
  }
  fm.rmsea_pvalue = 1.0 - pchisq_nc(X2, df, N * df * 0.05 * 0.05 / G);
}

void fill_fit_result(FitResult& r, const std::vector<std::string>& names, const std::vector<double>& theta,
                     const std::vector<double>& vcov, const std::vector<double>& se, const FitMeasures& m,
                     const Convergence& convergence) {
  r.coef_names = names;
  r.coef = theta;
  r.vcov = vcov;
  r.loglik = m.logl;
  r.df = m.npar;
  r.nobs = m.ntotal;
  r.convergence = convergence;
  r.extras["fit_measures"] = {static_cast<double>(m.npar), m.fmin, m.chisq, static_cast<double>(m.df), m.pvalue,
                              m.baseline_chisq, static_cast<double>(m.baseline_df), m.cfi, m.tli, m.rmsea,
                              m.rmsea_ci_lower, m.rmsea_ci_upper, m.rmsea_pvalue, m.srmr, m.logl,
                              m.unrestricted_logl, m.aic, m.bic};
  r.notes["fit_measures_names"] =
      "npar,fmin,chisq,df,pvalue,baseline.chisq,baseline.df,cfi,tli,rmsea,rmsea.ci.lower,rmsea.ci.upper,"
      "rmsea.pvalue,srmr,logl,unrestricted.logl,aic,bic";
  r.extras["se"] = se;
}

double fisher_polish(std::vector<double>& x, double f, std::vector<double>& g, int max_it, double tol,
                     const std::function<double(const double*, double*)>& eval,
                     const std::function<std::vector<double>(const double*)>& info, const char* fn) {
  const std::size_t q = x.size();
  for (int it = 0; it < max_it && max_abs(g) > tol; ++it) {
    std::vector<double> step;
    try {
      std::vector<double> inf = info(x.data());
      for (auto& v : inf) v *= 2.0;
      step = numeric::spd_solve(inf, q, g, fn);
    } catch (const Error&) {
      break;
    }
    double t = 1.0;
    bool moved = false;
    std::vector<double> xn(q);
    for (int h = 0; h < 8; ++h) {
      for (std::size_t i = 0; i < q; ++i) xn[i] = x[i] - t * step[i];
      const double f2 = eval(xn.data(), nullptr);
      if (std::isfinite(f2) && f2 <= f + 1e-13 * std::max(1.0, std::fabs(f))) {
        x = xn;
        f = eval(x.data(), g.data());
        moved = true;
        break;
      }
      t *= 0.5;
    }
    if (!moved) break;
  }
  return f;
}

void finish_convergence(Convergence& conv, double f, const std::vector<double>& g, double grad_tol) {
  conv.objective = f;
  conv.grad_norm = max_abs(g);
  if (!conv.converged && std::isfinite(f) && conv.grad_norm <= grad_tol * std::max(1.0, std::fabs(f))) {
    conv.converged = true;
    conv.reason = "gradient norm below tolerance after polishing";
  }
  if (!std::isfinite(f)) {
    conv.converged = false;
    conv.reason = "the implied covariance matrix is not positive definite at the returned point";
  }
}

void row_estimates(const std::vector<ParRow>& rows, const std::vector<double>& x, const std::vector<double>& se,
                   std::vector<double>& est, std::vector<double>& row_se) {
  for (const auto& r : rows) {
    if (r.par >= 0) {
      est.push_back(x[static_cast<std::size_t>(r.par)]);
      row_se.push_back(se[static_cast<std::size_t>(r.par)]);
    } else {
      est.push_back(r.value);
      row_se.push_back(0.0);
    }
  }
}

void flag_negative_variances(const std::vector<ParRow>& rows, const std::vector<double>& est,
                             const std::vector<std::string>& group_labels, Admissibility& ad) {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const ParRow& row = rows[r];
    if (row.op == Op::covariance && row.lhs == row.rhs && est[r] < 0) {
      ad.heywood = true;
      ad.messages.push_back("negative variance estimate for '" + row.lhs + "'" +
                            (group_labels.size() > 1
                                 ? " in group '" + group_labels[static_cast<std::size_t>(row.group)] + "'"
                                 : "") +
                            " (" + check::fmt(est[r]) + ")");
    }
  }
}

void flag_covariance_blocks(const std::vector<double>& S, int m, int p, const char* fn, const std::string& suffix,
                            Admissibility& ad) {
  auto block_min_eig = [&](int from, int to) {
    const int nb = to - from;
    if (nb <= 0) return 1.0;
    std::vector<double> blk(static_cast<std::size_t>(nb) * static_cast<std::size_t>(nb));
    for (int j = 0; j < nb; ++j)
      for (int i = 0; i < nb; ++i) blk[ix(i, j, nb)] = S[ix(from + i, from + j, m)];
    return numeric::symmetric_eigenvalues(blk, static_cast<std::size_t>(nb), fn).front();
  };
  if (m > p && block_min_eig(p, m) <= 0) {
    ad.latent_cov_not_pd = true;
    ad.messages.push_back("the covariance matrix of the latent variables is not positive definite" + suffix);
  }
  if (block_min_eig(0, p) < 0) {
    ad.residual_cov_not_pd = true;
    ad.messages.push_back("the residual covariance matrix of the observed variables is not positive semi-definite" +
                          suffix);
  }
}

optim::NloptOptions lbfgs_options(int maxeval, double grad_tol) {
  optim::NloptOptions no;
  no.algorithm = optim::NloptAlgorithm::lbfgs;
  no.maxeval = maxeval;
  no.xtol_rel = 1e-12;
  no.ftol_rel = 1e-14;
  no.grad_tol = grad_tol;
  return no;
}

}  // namespace hetmod::sem::detail
