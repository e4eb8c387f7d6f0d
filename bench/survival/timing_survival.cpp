// bench/survival/timing_survival.cpp -- developer timing of the survival fitter (not a test, no thresholds).
//
// Times are thread CPU times. Prints, for the Weibull at n = 1e5 and APGW MPR fits at n = 2000: the time
// of one fit (median of repeats), the number of likelihood evaluations by derivative order
// (detail::eval_counters), the cost of one evaluation of each order, and the remainder (validation, copies,
// scaling, start arithmetic, SEs) as overhead. Build against a build tree (RelWithDebInfo, -O2) and run:
//   g++ -O2 -std=c++17 -I include bench/survival/timing_survival.cpp build-<ID>/libhetmod.a
//       -lnlopt -larmadillo -llapack -lblas -lpthread -o /tmp/timing_survival
//   /tmp/timing_survival [reps [case]]   (case 0 Weibull, 1 APGW bench design, 2 APGW D1 grid)
// reps = 0: one fit with and one without the threshold probe, no timing (for callgrind instruction counts).
#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "hetmod/random/rng.hpp"
#include "hetmod/survival/loglik.hpp"
#include "hetmod/survival/model.hpp"

using namespace hetmod;
using namespace hetmod::survival;

namespace {
// Thread CPU time (the machine is shared: wall time is inflated by other jobs).
double now_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return 1e3 * static_cast<double>(ts.tv_sec) + 1e-6 * static_cast<double>(ts.tv_nsec);
}
double median_ms(int reps, const std::function<void()>& f) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_ms();
    f();
    t.push_back(now_ms() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Columns {
  int64_t n = 0;
  std::array<std::vector<double>, 4> cols;
  std::array<int64_t, 4> p{};
  std::array<std::vector<std::string>, 4> names;
  void add(Par par, const std::vector<double>& x, const std::string& nm) {
    const size_t j = static_cast<size_t>(par);
    cols[j].insert(cols[j].end(), x.begin(), x.end());
    ++p[j];
    names[j].push_back(nm);
  }
  Design design() const {
    Design d;
    for (size_t j = 0; j < 4; ++j) {
      if (p[j] > 0) d.par[j].x = data::MatView(cols[j].data(), n, p[j]);
      d.par[j].names = names[j];
    }
    return d;
  }
};

struct Case {
  std::string name;
  std::vector<double> time;
  std::vector<int32_t> status;
  Columns cols;
  Dist dist = Dist::weibull;
};

// The bench's Weibull PH data: x ~ Bernoulli(1/2), z ~ N(0, 1), H = exp(-3 + 0.5 x - 0.3 z) t^1.3,
// uniform censoring on (0, q90 of T).
Case weibull_case(int64_t n, uint64_t seed) {
  Case c;
  Rng rng(seed);
  std::vector<double> x(static_cast<size_t>(n)), z(x.size()), T(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = rng.uniform() < 0.5 ? 1.0 : 0.0;
    z[i] = rng.normal();
    T[i] = std::pow(-std::log(rng.uniform_open()) / std::exp(-3 + 0.5 * x[i] - 0.3 * z[i]), 1 / 1.3);
  }
  std::vector<double> s = T;
  std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(0.9 * n), s.end());
  const double q90 = s[static_cast<size_t>(0.9 * n)];
  for (size_t i = 0; i < x.size(); ++i) {
    const double C = rng.uniform() * q90;
    c.time.push_back(std::min(T[i], C));
    c.status.push_back(T[i] <= C ? 1 : 0);
  }
  c.cols.n = n;
  c.cols.add(Par::lambda, std::vector<double>(x.size(), 1.0), "(Intercept)");
  c.cols.add(Par::lambda, x, "x");
  c.cols.add(Par::lambda, z, "z");
  c.cols.add(Par::gamma, std::vector<double>(x.size(), 1.0), "(Intercept)");
  c.dist = Dist::weibull;
  c.name = "weibull n=" + std::to_string(n) + " (lambda ~ x + z)";
  return c;
}

// The bench's APGW MPR case: the first 2000 rows of the Weibull data, phi fixed (~ 0), lambda ~ x,
// gamma ~ x, kappa ~ 1 (the R default of surv_mpr(dist = "apgw", gamma = ~ x)).
Case apgw_bench_case(const Case& w) {
  Case c;
  const int64_t n = 2000;
  c.time.assign(w.time.begin(), w.time.begin() + n);
  c.status.assign(w.status.begin(), w.status.begin() + n);
  std::vector<double> one(static_cast<size_t>(n), 1.0), x(w.cols.cols[1].begin() + w.cols.n,
                                                          w.cols.cols[1].begin() + w.cols.n + n);
  c.cols.n = n;
  c.cols.add(Par::lambda, one, "(Intercept)");
  c.cols.add(Par::lambda, x, "x");
  c.cols.add(Par::gamma, one, "(Intercept)");
  c.cols.add(Par::gamma, x, "x");
  c.cols.add(Par::kappa, one, "(Intercept)");
  c.dist = Dist::apgw;
  c.name = "apgw MPR n=2000 (bench: phi ~ 0, lambda, gamma ~ x)";
  return c;
}

// Quantile-grid design D1 (spec 5.E) with phi free and x = i mod 2 in lambda and gamma.
Case apgw_d1_case() {
  Case c;
  const int n = 2000;
  for (int i = 1; i <= n; ++i) {
    const double u = (i - 0.5) / n;
    const double m = -std::log1p(-u);
    const double uu = detail::unit_cumhaz_inverse(detail::Kernel::apgw, std::log(1.5), m);
    const double T = std::pow(uu, 1 / 1.5);
    c.time.push_back(std::min(T, 2.5));
    c.status.push_back(T <= 2.5 ? 1 : 0);
  }
  std::vector<double> one(n, 1.0), x(n);
  for (int i = 0; i < n; ++i) x[static_cast<size_t>(i)] = i % 2;
  c.cols.n = n;
  c.cols.add(Par::phi, one, "(Intercept)");
  c.cols.add(Par::lambda, one, "(Intercept)");
  c.cols.add(Par::lambda, x, "x");
  c.cols.add(Par::gamma, one, "(Intercept)");
  c.cols.add(Par::gamma, x, "x");
  c.cols.add(Par::kappa, one, "(Intercept)");
  c.dist = Dist::apgw;
  c.name = "apgw MPR n=2000 (D1 grid: phi, lambda ~ x, gamma ~ x, kappa)";
  return c;
}

void report(const Case& c, int reps) {
  SurvData d;
  d.time = data::VecView(c.time.data(), static_cast<int64_t>(c.time.size()));
  d.status = data::IntVecView(c.status.data(), static_cast<int64_t>(c.status.size()));
  const Design des = c.cols.design();
  std::printf("\n== %s\n", c.name.c_str());
  // Evaluation costs.
  detail::Model m = detail::build_model("timing", d, des, c.dist);
  const double t_build = median_ms(reps, [&] { detail::build_model("timing", d, des, c.dist); });
  SurvFit f = fit(d, des, c.dist);
  const std::vector<double> beta = f.result.coef;  // original scale (build_model has unscaled columns)
  const size_t P = beta.size();
  std::vector<double> g(P), h(P * P), sc;
  double cost[3];
  for (int order = 0; order < 3; ++order)
    cost[order] = median_ms(std::max(reps, 5) * 3, [&] {
      detail::eval(m, beta.data(), order ? g.data() : nullptr, order == 2 ? h.data() : nullptr);
    });
  const double t_scores = median_ms(reps, [&] { detail::eval(m, beta.data(), g.data(), h.data(), &sc); });
  std::printf("fit: ll %.6f, %s (%d Newton iterations), flags '%s'\n", f.result.loglik,
              f.result.convergence.reason.c_str(), f.result.convergence.iterations,
              f.result.notes.count("flags") ? f.result.notes.at("flags").c_str() : "");
  std::printf("eval cost: value %.3f ms, +gradient %.3f ms, +Hessian %.3f ms, +Hessian+scores %.3f ms "
              "(%.1f / %.1f / %.1f ns per row); build_model %.3f ms\n",
              cost[0], cost[1], cost[2], t_scores, 1e6 * cost[0] / c.time.size(), 1e6 * cost[1] / c.time.size(),
              1e6 * cost[2] / c.time.size(), t_build);
  struct Variant {
    const char* label;
    Options opt;
  };
  std::vector<Variant> vars;
  vars.push_back({"auto start", Options()});
  {
    Options o;
    o.set("probe", 0.0);
    vars.push_back({"auto start, no probe", o});
  }
  {
    Options o;
    o.set("start", f.result.coef);
    vars.push_back({"warm start at MLE", o});
  }
  {
    Options o;
    o.set("start", f.result.coef);
    o.set("probe", 0.0);
    vars.push_back({"warm start at MLE, no probe", o});
  }
  for (const auto& v : vars) {
    detail::eval_counters().reset();
    SurvFit fv = fit(d, des, c.dist, v.opt);
    const detail::EvalCounters k = detail::eval_counters();
    const double t = median_ms(reps, [&] { fit(d, des, c.dist, v.opt); });
    const double t_eval = k.calls[0] * cost[0] + k.calls[1] * cost[1] + k.calls[2] * cost[2];
    std::printf("  %-28s %9.3f ms  evals v/g/H %3lld/%3lld/%3lld (~%.3f ms)  rest %.3f ms  ll %.6f%s\n", v.label,
                t, static_cast<long long>(k.calls[0]), static_cast<long long>(k.calls[1]),
                static_cast<long long>(k.calls[2]), t_eval, t - t_eval, fv.result.loglik,
                fv.result.convergence.converged ? "" : " (not converged)");
  }
}
}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  const int only = argc > 2 ? std::atoi(argv[2]) : -1;  // 0 Weibull, 1 APGW bench, 2 APGW D1
  const Case w = weibull_case(100000, 1);
  if (reps == 0) {
    // One default fit of the case (and one with probe = 0), for instruction counts that the machine's load
    // does not disturb: valgrind --tool=callgrind --toggle-collect='hetmod::survival::fit*' timing 0 1
    const Case c = only == 0 ? w : (only == 2 ? apgw_d1_case() : apgw_bench_case(w));
    SurvData d;
    d.time = data::VecView(c.time.data(), static_cast<int64_t>(c.time.size()));
    d.status = data::IntVecView(c.status.data(), static_cast<int64_t>(c.status.size()));
    const Design des = c.cols.design();
    for (int probe = 1; probe >= 0; --probe) {
      Options o;
      if (!probe) o.set("probe", 0.0);
      detail::eval_counters().reset();
      const SurvFit f = fit(d, des, c.dist, o);
      const detail::EvalCounters k = detail::eval_counters();
      std::printf("%s probe=%d: ll %.6f, evals v/g/H %lld/%lld/%lld\n", c.name.c_str(), probe, f.result.loglik,
                  static_cast<long long>(k.calls[0]), static_cast<long long>(k.calls[1]),
                  static_cast<long long>(k.calls[2]));
    }
    return 0;
  }
  if (only < 0 || only == 0) report(w, reps);
  if (only < 0 || only == 1) report(apgw_bench_case(w), reps * 4);
  if (only < 0 || only == 2) report(apgw_d1_case(), reps * 4);
  return 0;
}
