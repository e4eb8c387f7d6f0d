// bench/survival/robust_starts.cpp -- developer check that a change of the start strategy loses no optimum
// (not a test). Fits a fixed set of simulated APGW / Burr / PGW / Weibull data sets (MPR designs, several
// kappa and gamma, right censoring) and prints one line per fit: id, logLik, converged, flags, CPU ms and
// the likelihood evaluations by order (value/gradient/Hessian; machine-independent, unlike the time).
// Run with the old and the new library and compare the columns (logLik must not drop; flags must agree):
//   g++ -O2 -std=c++17 -I include bench/survival/robust_starts.cpp build-<ID>/libhetmod.a
//       -lnlopt -larmadillo -llapack -lblas -lpthread -o /tmp/robust_starts && /tmp/robust_starts [reps [id]] > new.txt
// (id: only that data set). bench/survival/cmp_robust.py old.txt new.txt counts lower / higher logLik and
// changed flags.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "hetmod/random/rng.hpp"
#include "hetmod/survival/loglik.hpp"
#include "hetmod/survival/model.hpp"

using namespace hetmod;
using namespace hetmod::survival;

namespace {
double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return 1e3 * static_cast<double>(ts.tv_sec) + 1e-6 * static_cast<double>(ts.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
  const int nrep = argc > 1 ? std::atoi(argv[1]) : 4;
  const int only = argc > 2 ? std::atoi(argv[2]) : -1;  // run only this data set id (debugging)
  const std::vector<double> kappas{-0.6, -0.3, 0.0, 0.4, 1.0, 2.0, 6.0};
  const std::vector<double> gammas{0.7, 1.3, 2.5};
  const std::vector<int> ns{150, 500};
  int id = 0;
  double total = 0;
  for (int n : ns)
    for (double kap : kappas)
      for (double gam : gammas)
        for (int design = 0; design < 4; ++design)
          for (int rep = 0; rep < nrep; ++rep, ++id) {
            if (only >= 0 && id != only) continue;
            Rng rng(Rng::for_stream(20261128u, static_cast<uint64_t>(id)));
            std::vector<double> x(static_cast<size_t>(n)), one(static_cast<size_t>(n), 1.0), t, tt;
            std::vector<int32_t> st;
            for (auto& v : x) v = rng.uniform() < 0.5 ? 1.0 : 0.0;
            const double tmin_shift = design == 3 ? 0.3 : 0.0;  // design 3: a threshold-like shift
            for (int i = 0; i < n; ++i) {
              const double xi = x[static_cast<size_t>(i)];
              const double el = 0.3 * xi, eg = std::log(gam) + (design == 1 ? 0.2 * xi : 0.0);
              const double m = -std::log(rng.uniform_open()) / std::exp(el);
              const double u = detail::unit_cumhaz_inverse(detail::Kernel::apgw, std::log1p(kap), m);
              double T = std::isfinite(u) ? std::pow(u, std::exp(-eg)) : INFINITY;
              T += tmin_shift;
              const double C = 0.2 + 3.0 * rng.uniform();
              t.push_back(std::min(T, C));
              st.push_back(T <= C ? 1 : 0);
            }
            SurvData d;
            d.time = data::VecView(t.data(), n);
            d.status = data::IntVecView(st.data(), n);
            // Designs: 0 APGW PH (phi fixed at 1, lambda ~ x); 1 APGW MPR (phi, lambda ~ x, gamma ~ x);
            // 2 Burr (phi, lambda ~ x, gamma) and PGW (phi ~ x, gamma, kappa); 3 APGW null (all intercepts).
            std::vector<std::pair<Dist, Design>> fits;
            Design des;
            std::vector<double> cols_l, cols_g;
            cols_l.insert(cols_l.end(), one.begin(), one.end());
            cols_l.insert(cols_l.end(), x.begin(), x.end());
            cols_g = cols_l;
            auto icpt = [&](Design& D, Par p) { D.par[static_cast<size_t>(p)].x = data::MatView(one.data(), n, 1); };
            if (design == 0) {
              des.par[1].x = data::MatView(cols_l.data(), n, 2);
              icpt(des, Par::gamma);
              icpt(des, Par::kappa);
              fits.push_back({Dist::apgw, des});
            } else if (design == 1) {
              icpt(des, Par::phi);
              des.par[1].x = data::MatView(cols_l.data(), n, 2);
              des.par[2].x = data::MatView(cols_g.data(), n, 2);
              icpt(des, Par::kappa);
              fits.push_back({Dist::apgw, des});
            } else if (design == 2) {
              icpt(des, Par::phi);
              des.par[1].x = data::MatView(cols_l.data(), n, 2);
              icpt(des, Par::gamma);
              fits.push_back({Dist::burr, des});
              Design dp;
              dp.par[0].x = data::MatView(cols_l.data(), n, 2);
              icpt(dp, Par::gamma);
              icpt(dp, Par::kappa);
              fits.push_back({Dist::pgw, dp});
            } else {
              icpt(des, Par::phi);
              icpt(des, Par::lambda);
              icpt(des, Par::gamma);
              icpt(des, Par::kappa);
              fits.push_back({Dist::apgw, des});
              Design dw;
              dw.par[1].x = data::MatView(cols_l.data(), n, 2);
              icpt(dw, Par::gamma);
              fits.push_back({Dist::weibull, dw});
            }
            for (size_t k = 0; k < fits.size(); ++k) {
              detail::eval_counters().reset();
              const double t0 = cpu_ms();
              SurvFit f;
              std::string err;
              try {
                f = fit(d, fits[k].second, fits[k].first);
              } catch (const std::exception& e) {
                err = e.what();
              }
              const double ms = cpu_ms() - t0;
              const detail::EvalCounters ec = detail::eval_counters();
              total += ms;
              std::printf("%d.%zu n=%d kappa=%g gamma=%g design=%d %s ll=%.6f conv=%d flags=%s ms=%.2f evals=%lld/%lld/%lld %s\n",
                          id, k, n, kap, gam, design, dist_name(fits[k].first), err.empty() ? f.result.loglik : NAN,
                          err.empty() ? static_cast<int>(f.result.convergence.converged) : -1,
                          f.result.notes.count("flags") ? f.result.notes.at("flags").c_str() : "-", ms,
                          static_cast<long long>(ec.calls[0]), static_cast<long long>(ec.calls[1]),
                          static_cast<long long>(ec.calls[2]), err.c_str());
            }
          }
  std::printf("total CPU %.1f ms\n", total);
  return 0;
}
