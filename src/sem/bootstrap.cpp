// src/sem/bootstrap.cpp -- nonparametric bootstrap (sem/bootstrap.hpp).
//
// Outline: the model is parsed once by the caller; each replicate draws n row indices with its own
// counter-based stream (Rng::for_stream(seed, r)), forms the sample moments of the resampled rows
// directly (no copy of the data matrix), and calls fit() warm-started at the full-sample estimates
// with se = false, baseline = false and measures = false (estimates, convergence, admissibility). Replicates run under parallel_for and write by index, so the
// result is identical for any number of threads.
#include "hetmod/sem/bootstrap.hpp"

#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/core/error.hpp"
#include "hetmod/core/parallel.hpp"
#include "hetmod/random/rng.hpp"

namespace hetmod::sem {

BootstrapResult bootstrap(const Model& model, const SampleMoments& sample, FitOptions opt, int R, uint64_t seed, int threads) {
  const char* fn = "sem::bootstrap";
  check::at_least(fn, "R", R, 1);
  const int64_t n = sample.nobs;
  const int k = static_cast<int>(sample.names.size());
  check::require(!sample.raw.empty() && static_cast<int64_t>(sample.raw.size()) == n * k, fn,
                 "the bootstrap resamples raw data; the sample has no raw data");
  opt.se = false;
  opt.baseline = false;
  opt.measures = false;
  const int q = model.n_free;
  BootstrapResult out;
  out.R = R;
  out.q = q;
  out.est.assign(static_cast<std::size_t>(R) * static_cast<std::size_t>(q), std::numeric_limits<double>::quiet_NaN());
  out.converged.assign(static_cast<std::size_t>(R), 0);
  out.admissible.assign(static_cast<std::size_t>(R), 0);
  out.error.assign(static_cast<std::size_t>(R), "");
  const std::size_t nn = static_cast<std::size_t>(n);
  parallel_for(R, threads, [&](int64_t r) {
    Rng rng = Rng::for_stream(seed, static_cast<uint64_t>(r));
    std::vector<int64_t> idx(nn);
    for (auto& i : idx) i = rng.uniform_int(n);
    SampleMoments s;
    s.names = sample.names;
    s.nobs = n;
    s.mean.assign(static_cast<std::size_t>(k), 0.0);
    s.cov.assign(static_cast<std::size_t>(k) * static_cast<std::size_t>(k), 0.0);
    s.raw.resize(nn * static_cast<std::size_t>(k));
    for (int j = 0; j < k; ++j) {
      const double* col = sample.raw.data() + nn * static_cast<std::size_t>(j);
      double* dst = s.raw.data() + nn * static_cast<std::size_t>(j);
      double m = 0;
      for (std::size_t i = 0; i < nn; ++i) {
        dst[i] = col[idx[i]];
        m += dst[i];
      }
      s.mean[static_cast<std::size_t>(j)] = m / static_cast<double>(n);
    }
    for (int j = 0; j < k; ++j) {
      const double* a = s.raw.data() + nn * static_cast<std::size_t>(j);
      const double ma = s.mean[static_cast<std::size_t>(j)];
      for (int l = j; l < k; ++l) {
        const double* b = s.raw.data() + nn * static_cast<std::size_t>(l);
        const double mb = s.mean[static_cast<std::size_t>(l)];
        double c = 0;
        for (std::size_t i = 0; i < nn; ++i) c += (a[i] - ma) * (b[i] - mb);
        c /= static_cast<double>(n);
        s.cov[static_cast<std::size_t>(j) + static_cast<std::size_t>(l) * static_cast<std::size_t>(k)] = c;
        s.cov[static_cast<std::size_t>(l) + static_cast<std::size_t>(j) * static_cast<std::size_t>(k)] = c;
      }
    }
    if (opt.estimator != Estimator::mlr) s.raw.clear();
    try {
      const SemFit f = fit(model, s, opt);
      for (int j = 0; j < q; ++j)
        out.est[static_cast<std::size_t>(r) + static_cast<std::size_t>(j) * static_cast<std::size_t>(R)] = f.theta[static_cast<std::size_t>(j)];
      out.converged[static_cast<std::size_t>(r)] = f.convergence.converged ? 1 : 0;
      out.admissible[static_cast<std::size_t>(r)] = f.admissibility.admissible ? 1 : 0;
    } catch (const Error& e) {
      if (e.status() == Status::interrupted) throw;
      out.error[static_cast<std::size_t>(r)] = e.what();
    }
  });
  return out;
}

}  // namespace hetmod::sem
