// src/sdpcluster/admm.cpp -- exact first-order SDP solvers for the Peng-Wei and lifted LA-SDP problems.
//
// 1. Peng-Wei (spec 1.2), min <C, Z> over Z psd, Z >= 0, Z 1 = 1, tr Z = k, as a convergent 2-block
//    ADMM on the splitting Z = Y, Z in S = {psd, Z1 = 1, tr Z = k}, Y in N = {Y >= 0}, with
//    over-relaxation alpha in (0, 2) (Eckstein-Bertsekas; default 1.6):
//      Z <- Pi_S(Y - U - C/rho),  Zr = alpha Z + (1 - alpha) Y,  Y <- max(Zr + U, 0),  U <- U + Zr - Y.
//    Pi_S in closed form up to one eigen-decomposition: with P = I - J/n every Z in S is
//    J/n + P Z P, P Z P psd with trace k - 1 on 1^perp, so Pi_S(V) = J/n + Q (L - theta)_+ Q^T where
//    Q L Q^T is the eigen-decomposition of P V P restricted to 1^perp and theta makes the positive
//    parts sum to k - 1 (simplex projection of the eigenvalues).
// 2. Lifted LA-SDP (spec 1.3), min sum_k <C_k, Z_k> over Z_k psd, Z_k >= 0, tr Z_k = t_k,
//    sum_k Z_k 1 = 1, as the same 2-block ADMM (plain steps, alpha = 1) with Z_k in {psd, tr = t_k} and
//    Y in {Y_k >= 0, 1^T sum_k Y_k = 1^T} (a simplex projection per column of the stacked Y_k;
//    equivalent to the row constraint because Z_k is symmetric).
// 3. PSD projections. The first iterations use a full eigen-decomposition (LAPACK dsyevd). Once the
//    number of kept eigenvalues has been stable for a few iterations, only the eigenpairs above the
//    shift theta are computed, by block Rayleigh-Ritz on a Davidson/Krylov space grown from the
//    previous iterate's top eigenvectors plus a few spare directions (cost O(n^2 m) in BLAS-3, m ~ 2
//    rank + 6, instead of O(n^3)). The partial result is accepted only when every kept Ritz pair has
//    residual <= tol_eig (relative to the spectral scale; 1e-3 x the current ADMM residual, clamped to
//    [1e-11, 1e-7]) and the next two Ritz values stay below theta by twice their residuals; otherwise
//    (and every 100 iterations, as a check against a missed eigenvalue) the next fallback is used: the
//    q = rank + extra largest eigenpairs by LAPACK dsyevr (tridiagonal reduction, bisection and inverse
//    iteration on the selected range only; exact, and certified when the smallest computed eigenvalue is
//    below theta; extra grows when it is not), and only then the full decomposition. Measured on the exact
//    iLA-SDP, hetero4 design, n = 150, k = 4 (bench/sdp/prof_admm.cpp ila): 16.5 s -> 14.6 s CPU.
//    Certificate.full_eigs / partial_eigs count both kinds (partial: Rayleigh-Ritz or dsyevr).
//    The lifted Y-step projects every column of the stacked Y_k onto the simplex by Condat's linear-time
//    filter + Michelot cleanup instead of a sort (the sort was 18% of the iLA-SDP profile; 14.6 s -> 10.7 s).
// 4b. Anderson acceleration (type II) of the fixed-point map of the Peng-Wei ADMM is implemented but
//    off: measured mixed (see admm_peng_wei).
// 4. Certificates. W = rho U is a Lagrange multiplier of Z = Y; the Lagrangian dual value
//      PW:     d = <G, J>/n + (k - 1) lambda_min(P G P on 1^perp), G = C + min(W, 0);
//      lifted: d = sum_k t_k lambda_min(C_k + W_k) - sum_j max_{k,i} W_k(i, j)
//    is a lower bound on the optimum, so gap = |p - d| / (1 + |p| + |d|) certifies optimality.
//    Stop when the relative primal and dual residuals and the gap are all <= tol (one shared
//    monitor, AdmmMonitor, for both solvers; it also does the penalty balancing: every 10 iterations
//    rho doubles / halves, U rescaled, when one residual exceeds 5x the other).
// 5. Warm starts: Z (and the unscaled multiplier W = rho U through *dual, plus opt.rho) carry over
//    between solves, e.g. across iLA-SDP sweeps.
// 6. Closed-form affine projection of the lifted set (spec 2.2) for tests and callers.
// 7. Spectral rounding: top-k eigenvectors (or left singular vectors of a factor) then k-means.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "hetmod/core/check.hpp"
#include "hetmod/core/log.hpp"
#include "internal.hpp"

// LAPACK dsyevr (selected eigenpairs); Armadillo 11.4 has no wrapper for it. The trailing arguments are the hidden
// lengths of the character arguments (gfortran calling convention). The CMake build links LAPACK
// directly and the R package through $(LAPACK_LIBS). Declared weak as a guard: a build that links no LAPACK of its
// own gets a null pointer and uses the full decomposition instead of failing to load.
extern "C" void dsyevr_(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* lda,
                        const double* vl, const double* vu, const int* il, const int* iu, const double* abstol, int* m,
                        double* w, double* z, const int* ldz, int* isuppz, double* work, const int* lwork, int* iwork,
                        const int* liwork, int* info, std::size_t, std::size_t, std::size_t) __attribute__((weak));

namespace hetmod::sdpcluster::detail {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// P V P for P = I - J/n (V symmetric).
arma::mat center_both(const arma::mat& v) {
  const double n = static_cast<double>(v.n_rows);
  const arma::vec r = arma::sum(v, 1) / n;
  const double s = arma::accu(r) / n;
  arma::mat m = v;
  m.each_col() -= r;
  m.each_row() -= r.t();
  m += s;
  return m;
}

// lambda_min of P G P restricted to 1^perp.
double lambda_min_perp(const arma::mat& g) {
  arma::mat m = center_both(g);
  const double shift = 2.0 * arma::norm(m, "fro") + 1.0;
  m += shift / static_cast<double>(m.n_rows);  // the 1 direction gets eigenvalue +shift (above all)
  arma::vec ev;
  if (!arma::eig_sym(ev, m)) check::fail("sdp_admm", "eigen-decomposition failed", Status::numerical);
  return ev(0);
}

double lambda_min_sym(const arma::mat& g) {
  arma::vec ev;
  if (!arma::eig_sym(ev, arma::mat(0.5 * (g + g.t()))))
    check::fail("sdp_admm", "eigen-decomposition failed", Status::numerical);
  return ev(0);
}

// ---- PSD projection: full and partial eigen-decomposition -------------------------------------

// Orthonormal basis of the part of w orthogonal to the orthonormal columns of b (and to 1 when
// perp); nearly dependent columns are dropped.
arma::mat orth_against(const arma::mat& b, arma::mat w, bool perp) {
  if (w.n_cols == 0) return w;
  for (int pass = 0; pass < 2; ++pass) {
    if (perp) w.each_row() -= arma::mean(w, 0);
    if (b.n_cols) w -= b * (b.t() * w);
  }
  const arma::rowvec nrm = arma::sqrt(arma::sum(arma::square(w), 0));
  const arma::uvec nz = arma::find(nrm > 1e-300);
  if (nz.n_elem == 0) return arma::mat(w.n_rows, 0);
  w = w.cols(nz);
  w.each_row() /= nrm(nz).t();
  arma::mat q, r;
  if (!arma::qr_econ(q, r, w)) return arma::mat(w.n_rows, 0);
  const arma::uvec keep = arma::find(arma::abs(r.diag()) > 1e-8);
  if (keep.n_elem < q.n_cols) {  // re-orthogonalise the kept directions (dropped ones are arbitrary)
    w = q.cols(keep);
    if (perp) w.each_row() -= arma::mean(w, 0);
    if (b.n_cols) w -= b * (b.t() * w);
    if (!arma::qr_econ(q, r, w)) return arma::mat(w.n_rows, 0);
  }
  return q;
}

// Deterministic spare directions for the partial solver (fixed-seed hetmod::Rng).
arma::mat spare_directions(arma::uword n, arma::uword m, uint64_t seed) {
  Rng rng(seed);
  arma::mat w(n, m);
  for (auto& v : w) v = rng.normal();
  return w;
}

// Full projection of symmetric m onto {psd, trace t}; returns the kept eigenpairs (qp, lp = l - theta)
// and the top mb eigenvectors in *basis (when non-null) to seed the partial solver.
void full_psd_trace(const arma::mat& m, double t, arma::mat& qp, arma::vec& lp, arma::mat* basis, arma::uword mb) {
  arma::vec ev;
  arma::mat q;
  if (!arma::eig_sym(ev, q, m, "dc")) check::fail("sdp_admm", "eigen-decomposition failed", Status::numerical);
  const arma::vec desc = arma::reverse(ev);
  const double theta = simplex_shift(desc, t);
  const arma::uvec pos = arma::find(ev > theta);
  qp = q.cols(pos);
  lp = ev(pos) - theta;
  if (basis) *basis = q.tail_cols(std::min<arma::uword>(mb, q.n_cols));
}

// The q largest eigenpairs of symmetric m by LAPACK dsyevr (tridiagonal reduction, then MRRR on the selected
// index range only, back-transformation of q vectors): ev ascending (q), vec n x q. False on a LAPACK failure.
bool top_eigs(const arma::mat& m, arma::uword q, arma::vec& ev, arma::mat& vec) {
  if (dsyevr_ == nullptr) return false;
  const int n = static_cast<int>(m.n_rows);
  q = std::min<arma::uword>(q, m.n_rows);
  arma::mat a = m;  // overwritten by LAPACK
  const int il = n - static_cast<int>(q) + 1, iu = n, lda = std::max(n, 1);
  const double vl = 0, vu = 0, abstol = 0;
  int found = 0, info = 0, lwork = -1, liwork = -1, iwq = 0;
  double wq = 0;
  arma::vec w(m.n_rows);
  vec.set_size(m.n_rows, q);
  std::vector<int> isuppz(2 * q + 2);
  dsyevr_("V", "I", "L", &n, a.memptr(), &lda, &vl, &vu, &il, &iu, &abstol, &found, w.memptr(), vec.memptr(), &lda,
          isuppz.data(), &wq, &lwork, &iwq, &liwork, &info, 1, 1, 1);
  if (info != 0) return false;
  lwork = static_cast<int>(wq) + 1;
  liwork = iwq + 1;
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  dsyevr_("V", "I", "L", &n, a.memptr(), &lda, &vl, &vu, &il, &iu, &abstol, &found, w.memptr(), vec.memptr(), &lda,
          isuppz.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1, 1);
  if (info != 0 || found != static_cast<int>(q)) return false;
  ev = w.head(q);
  return ev.is_finite();
}

// Projection of symmetric m onto {psd, trace t} from its q largest eigenpairs (dsyevr); exact when the smallest
// computed eigenvalue is not kept (every eigenvalue left out is below the shift theta). False otherwise (more
// eigenpairs or the full decomposition needed). On success *basis (when non-null) gets the computed vectors.
bool top_psd_trace(const arma::mat& m, double t, arma::uword q, arma::mat& qp, arma::vec& lp, arma::mat* basis) {
  if (q >= m.n_rows) return false;
  arma::vec ev;
  arma::mat vec;
  if (!top_eigs(m, q, ev, vec)) return false;
  const double theta = simplex_shift(arma::reverse(ev), t);
  if (!(ev(0) <= theta)) return false;  // the smallest computed eigenvalue would be kept: not enough pairs
  const arma::uvec pos = arma::find(ev > theta);
  qp = vec.cols(pos);
  lp = ev(pos) - theta;
  if (basis) *basis = vec;
  return true;
}

arma::mat assemble(const arma::mat& qp, const arma::vec& lp, arma::uword n) {
  if (qp.n_cols == 0) return arma::zeros(n, n);
  arma::mat out = (qp.each_row() % lp.t()) * qp.t();
  return 0.5 * (out + out.t());
}

}  // namespace

bool partial_psd_trace(const arma::mat& m, double t, bool ones_perp, arma::mat& basis, arma::mat& qp, arma::vec& lp,
                       int max_steps, double tol_rel) {
  const arma::uword n = m.n_rows;
  const arma::uword mb = basis.n_cols;
  if (mb < 4 || mb + 2 > n) return false;
  arma::mat v = orth_against(arma::mat(), basis, ones_perp);
  if (v.n_cols < mb) {
    v = arma::join_rows(v, orth_against(v, spare_directions(n, mb - v.n_cols, 7), ones_perp));
    if (v.n_cols < mb) return false;
  }
  arma::mat mv = m * v;
  for (int step = 0; step < max_steps; ++step) {
    arma::mat h = v.t() * mv;
    h = 0.5 * (h + h.t());
    arma::vec th;
    arma::mat yv;
    if (!arma::eig_sym(th, yv, h)) return false;
    const arma::vec top = arma::reverse(th.tail(mb));
    const arma::mat ytop = arma::fliplr(yv.tail_cols(mb));
    const double theta = simplex_shift(top, t);
    const arma::uword q = static_cast<arma::uword>(arma::accu(top > theta));
    const arma::mat x = v * ytop;
    arma::mat r = mv * ytop;
    r -= x.each_row() % top.t();
    const arma::rowvec rn = arma::sqrt(arma::sum(arma::square(r), 0));
    const double scale = std::max({std::abs(th(0)), std::abs(th(th.n_elem - 1)), 1e-300});
    const double tol = tol_rel * scale;
    // kept pairs converged; the next two Ritz values stay below theta by twice their residual
    bool ok = q + 2 <= mb;
    for (arma::uword j = 0; j < q && ok; ++j) ok = rn(j) <= tol;
    for (arma::uword j = q; j < q + 2 && ok; ++j) ok = top(j) + 2.0 * rn(j) < theta;
    if (ok) {
      qp = x.head_cols(q);
      lp = top.head(q) - theta;
      basis = x;
      return true;
    }
    if (step + 1 == max_steps || v.n_cols + mb > n / 2) break;
    arma::uvec bad = arma::find(rn.head(std::min<arma::uword>(q + 2, mb)) > tol);
    if (bad.n_elem == 0) bad = arma::regspace<arma::uvec>(0, std::min<arma::uword>(q + 2, mb) - 1);
    const arma::mat w = orth_against(v, r.cols(bad), ones_perp);
    if (w.n_cols == 0) break;
    v = arma::join_rows(v, w);
    mv = arma::join_rows(mv, m * w);
  }
  return false;
}

namespace {

// A PSD-with-trace projector for one n x n block that switches from full to partial
// eigen-decompositions once the kept rank has settled (section 3 of the header).
class PsdProjector {
 public:
  // allow_partial: block Rayleigh-Ritz on a warm basis; top: exact top eigenpairs by dsyevr (both once the kept
  // rank has been stable for three calls).
  PsdProjector(bool ones_perp, bool allow_partial, bool top = false)
      : perp_(ones_perp), allow_(allow_partial), top_(top) {}

  // Projection of symmetric m (for ones_perp: m = P V P; the J/n part is not added) onto
  // {psd, trace t} (on 1^perp when ones_perp).
  arma::mat project(const arma::mat& m, double t, int* rank, Certificate& cert) {
    const arma::uword n = m.n_rows;
    arma::mat qp;
    arma::vec lp;
    bool done = false;
    ++calls_;
    if (allow_ && stable_ >= 3 && calls_ - last_full_ < 100 && basis_.n_rows == n) {
      done = partial_psd_trace(m, t, perp_, basis_, qp, lp, 8, tol_);
      if (done) {
        ++cert.partial_eigs;
      } else if (++fails_ > 20 && fails_ * 5 > calls_) {
        allow_ = false;  // the partial solver does not pay off on this problem
      }
    }
    // exact top eigenpairs by dsyevr once the rank has settled: a shift below every kept eigenvalue is
    // certified by the smallest computed one, so no periodic full check is needed
    const arma::uword q = static_cast<arma::uword>(std::max(rank_, 1)) + extra_;
    const bool top_ok = top_ && stable_ >= 3 && 3 * q <= n;
    if (!done) {
      const arma::uword mb = target_block(static_cast<arma::uword>(std::max(rank_, 1)), n);
      arma::mat* bp = mb > 0 ? &basis_ : nullptr;
      arma::mat shifted;
      if (perp_) {  // push the 1 direction (eigenvalue 0 of P V P) below everything
        const double shift = 2.0 * arma::norm(m, "fro") + std::abs(t) + 1.0;
        shifted = m - shift / static_cast<double>(n);
      }
      const arma::mat& mm = perp_ ? shifted : m;
      if (top_ok && top_psd_trace(mm, t, q, qp, lp, bp)) {
        ++cert.partial_eigs;
        extra_ = std::max<arma::uword>(extra_ > 2 ? extra_ - 1 : 2, 2);
      } else {
        if (top_ok) extra_ = std::min<arma::uword>(2 * extra_ + 2, n);  // not enough pairs: ask for more next time
        full_psd_trace(mm, t, qp, lp, bp, mb);
        ++cert.full_eigs;
      }
      if (bp == nullptr) basis_.reset();
      last_full_ = calls_;
    }
    const int r = static_cast<int>(qp.n_cols);
    stable_ = (r == rank_) ? stable_ + 1 : 0;
    rank_ = r;
    if (rank) *rank = r;
    // resize the warm basis to the target block size for the next call
    const arma::uword mb = target_block(static_cast<arma::uword>(std::max(r, 1)), n);
    if (basis_.n_cols > mb) {
      basis_ = basis_.head_cols(mb);
    } else if (basis_.n_cols < mb && basis_.n_rows == n) {
      basis_ = arma::join_rows(basis_, spare_directions(n, mb - basis_.n_cols, 11 + static_cast<uint64_t>(calls_)));
    }
    return assemble(qp, lp, n);
  }

  // Residual tolerance of the partial solver, relative to the spectral scale.
  void set_tolerance(double tol) { tol_ = tol; }

 private:
  static arma::uword target_block(arma::uword r, arma::uword n) {
    const arma::uword mb = std::max<arma::uword>(2 * r + 6, 10);
    return n > 4 * mb ? mb : 0;  // small n: always full
  }
  bool perp_, allow_, top_;
  arma::uword extra_ = 3;  // eigenpairs asked of dsyevr beyond the kept rank
  double tol_ = 1e-10;
  arma::mat basis_;
  int rank_ = -1, stable_ = 0, calls_ = 0, last_full_ = 0, fails_ = 0;
};

// Accuracy asked of the partial eigen-solver: well below the current ADMM residuals (an inexact
// projection with errors that shrink with the residuals keeps the ADMM convergent).
double eig_tolerance(double pres, double dres) { return std::clamp(1e-3 * std::max(pres, dres), 1e-11, 1e-7); }

// Stopping rule, time limit, interrupts and penalty balancing shared by both ADMM loops.
class AdmmMonitor {
 public:
  AdmmMonitor(const AdmmOptions& opt, Certificate& cert, const char* where)
      : opt_(opt), cert_(cert), where_(where), t0_(Clock::now()) {
    cert_.reason = "iteration limit";
  }
  // After iteration it: returns true when the loop must stop. certify() computes the duality gap
  // into *gap; rescale(f) multiplies the scaled multiplier U by f (rho is divided by f).
  template <class Certify, class Rescale>
  bool stop(int it, double pres, double dres, double& rho, const double& gap, Certify&& certify, Rescale&& rescale) {
    if (std::max(pres, dres) <= opt_.tol && it - last_gap_check_ >= 5) {
      last_gap_check_ = it;
      certify();
      if (gap <= opt_.tol) {
        cert_.converged = true;
        cert_.reason = "tolerance reached";
        return true;
      }
    }
    if (seconds() > opt_.time_limit) {
      cert_.reason = "time limit";
      return true;
    }
    if (opt_.balance && it % 10 == 0) {
      if (pres > 5.0 * dres) {
        rho *= 2.0;
        rescale(0.5);
      } else if (dres > 5.0 * pres) {
        rho /= 2.0;
        rescale(2.0);
      }
    }
    if (it % 10 == 0) check_interrupt(where_);
    return false;
  }
  double seconds() const { return since(t0_); }

 private:
  const AdmmOptions& opt_;
  Certificate& cert_;
  const char* where_;
  Clock::time_point t0_;
  int last_gap_check_ = -100;
};

// Anderson acceleration (type II, Walker-Ni) of a fixed-point iteration a -> F(a) on n x n states,
// with memory m: a_new = F(a) - sum_i gamma_i (da_i + dg_i), gamma = argmin ||g - dG gamma||,
// g = F(a) - a. Safeguard: when the residual norm grows past 2x the best seen since the last reset,
// the memory is dropped and the plain step is taken.
class Anderson {
 public:
  explicit Anderson(int memory) : m_(memory) {}
  void reset() {
    da_.clear();
    dg_.clear();
    a_prev_.reset();
    g_prev_.reset();
    best_ = arma::datum::inf;
  }
  int size() const { return static_cast<int>(da_.size()); }
  // a: current state (replaced by the next one), fa = F(a), g = fa - a.
  void step(arma::mat& a, const arma::mat& fa, const arma::mat& g) {
    if (m_ <= 0) {
      a = fa;
      return;
    }
    const double gn = arma::norm(g, "fro");
    if (gn > 2.0 * best_) {
      reset();
      a = fa;
      return;
    }
    best_ = std::min(best_, gn);
    if (a_prev_.n_elem == a.n_elem) {
      da_.push_back(a - a_prev_);
      dg_.push_back(g - g_prev_);
      if (static_cast<int>(da_.size()) > m_) {
        da_.erase(da_.begin());
        dg_.erase(dg_.begin());
      }
    }
    a_prev_ = a;
    g_prev_ = g;
    const auto mm = static_cast<arma::uword>(dg_.size());
    if (mm == 0) {
      a = fa;
      return;
    }
    arma::mat gram(mm, mm);
    arma::vec rhs(mm);
    for (arma::uword i = 0; i < mm; ++i) {
      rhs(i) = arma::dot(dg_[i], g);
      for (arma::uword j = 0; j <= i; ++j) gram(i, j) = gram(j, i) = arma::dot(dg_[i], dg_[j]);
    }
    gram.diag() += 1e-10 * arma::trace(gram) / static_cast<double>(mm) + 1e-300;
    arma::vec gamma;
    if (!arma::solve(gamma, gram, rhs, arma::solve_opts::no_approx) || !gamma.is_finite()) {
      reset();
      a = fa;
      return;
    }
    a = fa;
    for (arma::uword i = 0; i < mm; ++i) a -= gamma(i) * (da_[i] + dg_[i]);
  }

 private:
  int m_;
  std::vector<arma::mat> da_, dg_;
  arma::mat a_prev_, g_prev_;
  double best_ = arma::datum::inf;
};

// Projection of v onto the probability simplex (in place): the shift tau with sum_j max(v_j - tau, 0) = 1 by
// Condat's one-pass candidate filter (Math. Program. 158, 2016) followed by Michelot's fixed-point cleanup on the
// candidates, O(m) expected instead of a sort (the columns of the lifted ADMM are long and mostly clamped to 0).
void project_simplex(double* v, arma::uword m, std::vector<double>& buf) {
  if (m == 0) return;
  std::vector<double>& cand = buf;
  thread_local std::vector<double> rest;
  cand.clear();
  rest.clear();
  cand.push_back(v[0]);
  double tau = v[0] - 1.0;
  for (arma::uword j = 1; j < m; ++j) {
    const double y = v[j];
    if (y > tau) {
      tau += (y - tau) / static_cast<double>(cand.size() + 1);
      if (tau > y - 1.0) {
        cand.push_back(y);
      } else {
        rest.insert(rest.end(), cand.begin(), cand.end());
        cand.assign(1, y);
        tau = y - 1.0;
      }
    }
  }
  for (double y : rest) {
    if (y > tau) {
      cand.push_back(y);
      tau += (y - tau) / static_cast<double>(cand.size());
    }
  }
  // Michelot on the candidates (a superset of the support): tau = (sum - 1) / size, drop entries <= tau, repeat
  for (;;) {
    double sum = 0;
    for (double y : cand) sum += y;
    tau = (sum - 1.0) / static_cast<double>(cand.size());
    size_t keep = 0;
    for (double y : cand)
      if (y > tau) cand[keep++] = y;
    if (keep == cand.size() || keep == 0) break;
    cand.resize(keep);
  }
  for (arma::uword j = 0; j < m; ++j) v[j] = std::max(v[j] - tau, 0.0);
}

}  // namespace

double simplex_shift(const arma::vec& lambda_desc, double t) {
  double cum = 0, theta = lambda_desc.n_elem ? lambda_desc(0) - t : 0.0;
  for (arma::uword j = 0; j < lambda_desc.n_elem; ++j) {
    cum += lambda_desc(j);
    const double th = (cum - t) / static_cast<double>(j + 1);
    if (lambda_desc(j) - th > 0) theta = th;
  }
  return theta;
}

arma::mat project_psd_affine(const arma::mat& v, double k, int* rank) {
  const arma::uword n = v.n_rows;
  arma::mat m = center_both(0.5 * (v + v.t()));
  const double shift = 2.0 * arma::norm(m, "fro") + k + 1.0;
  m -= shift / static_cast<double>(n);  // the 1 direction gets eigenvalue -shift: never kept
  arma::mat qp;
  arma::vec lp;
  full_psd_trace(m, k - 1.0, qp, lp, nullptr, 0);
  if (rank) *rank = static_cast<int>(qp.n_cols);
  arma::mat z = assemble(qp, lp, n);
  z += 1.0 / static_cast<double>(n);
  return z;
}

std::vector<arma::mat> project_affine_lifted(const std::vector<arma::mat>& v, const arma::vec& t) {
  const auto kk = static_cast<double>(v.size());
  const arma::uword n = v.at(0).n_rows;
  const double dn = static_cast<double>(n);
  arma::vec r(n, arma::fill::zeros);
  double tv = 0;
  for (const auto& b : v) {
    r += arma::sum(b, 1);
    tv += arma::trace(b);
  }
  const double rr = arma::accu(r), tt = arma::accu(t);
  const double s = (rr - dn - tv + tt) / (kk * (dn - 1.0));
  const double a_sum = (tv - tt - kk * s) / dn;
  const arma::vec lam = (2.0 / (kk * dn)) * (r - 1.0 - a_sum) - s / dn;
  std::vector<arma::mat> out;
  for (size_t b = 0; b < v.size(); ++b) {
    const double ak = (arma::trace(v[b]) - t(b) - s) / dn;
    arma::mat x = v[b];
    x.diag() -= ak;
    x.each_col() -= 0.5 * lam;
    x.each_row() -= 0.5 * lam.t();
    out.push_back(std::move(x));
  }
  return out;
}

Certificate admm_peng_wei(const arma::mat& c, int k, const AdmmOptions& opt, arma::mat& z, arma::mat* dual) {
  const arma::uword n = c.n_rows;
  const double dn = static_cast<double>(n), dk = static_cast<double>(k);
  Certificate cert;
  cert.solver = "admm";
  AdmmMonitor mon(opt, cert, "sdp_kmeans");
  double cs = arma::norm(c, "fro");
  if (!(cs > 0)) cs = 1.0;
  const arma::mat cn = center_both(0.5 * (c + c.t())) / cs;  // equal objective on S up to a constant
  const double ccons = (arma::accu(c) / dn) / cs;            // <C/cs, Z> = <cn, Z> + <C/cs, J>/n on S
  if (z.n_rows != n || z.n_cols != n) {
    z = (dk - 1.0) / (dn - 1.0) * (arma::eye(n, n) - 1.0 / dn) + 1.0 / dn;
    if (n == 1) z.ones(1, 1);
  }
  double rho = opt.rho > 0 ? opt.rho : 2.0;
  const double alpha = opt.relax;
  // State of the iteration: a = Zr + U before the clamp, Y = max(a, 0), U = min(a, 0); one ADMM
  // step is the fixed-point map a -> F(a), accelerated by Anderson mixing (section 4b).
  arma::mat y = arma::clamp(z, 0.0, arma::datum::inf), u(n, n, arma::fill::zeros);
  if (dual && dual->n_rows == n && dual->n_cols == n) u = arma::clamp(*dual / (rho * cs), -arma::datum::inf, 0.0);
  arma::mat a = y + u, fa, g;
  const double cnorm = arma::norm(cn, "fro");
  PsdProjector proj(true, opt.lowrank && opt.ritz, opt.lowrank && opt.top_eig);
  // Anderson memory 0 = off: measured mixed (n = 200: 3x fewer iterations; n = 500 hard design: 2.5x
  // more, and the extrapolated iterates inflate the rank, which defeats the partial projection).
  Anderson aa(0);
  double pres = 0, dres = 0, gap = arma::datum::inf, pobj = 0, dobj = 0;
  auto certify = [&]() {
    pobj = arma::dot(cn, y) + ccons;
    const arma::mat gm = cn + rho * arma::clamp(u, -arma::datum::inf, 0.0);
    dobj = arma::accu(gm) / dn + (dk - 1.0) * lambda_min_perp(gm) + ccons;
    gap = std::abs(pobj - dobj) / (1.0 + std::abs(pobj) + std::abs(dobj));
  };
  auto rescale = [&](double f) {
    u *= f;
    a = y + u;
    aa.reset();
  };
  int it = 0;
  for (it = 1; it <= opt.max_iter; ++it) {
    int rank = 0;
    proj.set_tolerance(eig_tolerance(pres, dres));
    z = proj.project(center_both(y - u - cn / rho), dk - 1.0, &rank, cert);
    z += 1.0 / dn;
    cert.final_rank = rank;
    fa = alpha * z + (1.0 - alpha) * y + u;  // F(a)
    {
      const arma::mat ynew = arma::clamp(fa, 0.0, arma::datum::inf);
      pres = arma::norm(z - ynew, "fro") / (1.0 + arma::norm(z, "fro"));
      dres = rho * arma::norm(ynew - y, "fro") / (1.0 + cnorm);
    }
    g = fa - a;
    aa.step(a, fa, g);  // a <- accelerated F(a)
    y = arma::clamp(a, 0.0, arma::datum::inf);
    u = arma::clamp(a, -arma::datum::inf, 0.0);
    if (mon.stop(it, pres, dres, rho, gap, certify, rescale)) break;
  }
  if (!cert.converged) certify();  // final certificate at the returned point
  cert.iterations = std::min(it, opt.max_iter);
  cert.primal_residual = pres;
  cert.dual_residual = dres;
  cert.gap = gap;
  cert.primal_objective = pobj * cs;
  cert.dual_objective = dobj * cs;
  cert.rho = rho;
  cert.seconds = mon.seconds();
  if (dual) *dual = (rho * cs) * u;
  return cert;
}

Certificate admm_lifted(const std::vector<arma::mat>& c, const arma::vec& t, const AdmmOptions& opt,
                        std::vector<arma::mat>& z, std::vector<arma::mat>* dual) {
  const size_t kb = c.size();
  const arma::uword n = c.at(0).n_rows;
  Certificate cert;
  cert.solver = "admm-lifted";
  AdmmMonitor mon(opt, cert, "la_sdp");
  std::vector<arma::mat> cn(kb), y(kb), u(kb), yold(kb);
  // Remove the parts of C that are constant on the feasible set (a common multiple of J and common
  // row/column effects a 1^T + 1 a^T, since sum_k Z_k 1 = 1), then scale: same minimisers, better
  // conditioned. The removed constant is added back to the objectives.
  arma::mat cbar(n, n, arma::fill::zeros);
  for (size_t b = 0; b < kb; ++b) cbar += 0.5 * (c[b] + c[b].t());
  cbar /= static_cast<double>(kb);
  const arma::vec rowm = arma::mean(cbar, 1);
  const arma::vec a = rowm - 0.5 * arma::mean(rowm);
  double shift_const = 2.0 * arma::accu(a);  // <a 1^T + 1 a^T, sum_k Z_k> = 2 a^T 1
  double cs = 0;
  for (size_t b = 0; b < kb; ++b) {
    cn[b] = 0.5 * (c[b] + c[b].t());
    cn[b].each_col() -= a;
    cn[b].each_row() -= a.t();
    cs += arma::accu(arma::square(cn[b]));
  }
  cs = std::sqrt(cs);
  if (!(cs > 0)) cs = 1.0;
  for (auto& b : cn) b /= cs;
  shift_const /= cs;
  if (z.size() != kb || z[0].n_rows != n) {
    z.assign(kb, arma::mat());
    const double tt = arma::accu(t);
    for (size_t b = 0; b < kb; ++b) z[b] = (t(b) / tt) * arma::mat(n, n, arma::fill::ones) / static_cast<double>(n);
  }
  double rho = opt.rho > 0 ? opt.rho : 2.0;
  const double alpha = 1.0;  // over-relaxation measured slower on the lifted problem (674 vs 187 iterations)
  const bool warm_dual = dual && dual->size() == kb && (*dual)[0].n_rows == n;
  for (size_t b = 0; b < kb; ++b) {
    y[b] = arma::clamp(z[b], 0.0, arma::datum::inf);
    u[b] = warm_dual ? arma::mat((*dual)[b] / (rho * cs)) : arma::mat(n, n, arma::fill::zeros);
  }
  const double cnorm = 1.0;
  std::vector<PsdProjector> proj(kb, PsdProjector(false, opt.lowrank && opt.ritz, opt.lowrank && opt.top_eig));
  std::vector<double> col(kb * n), buf;
  double pres = 0, dres = 0, gap = arma::datum::inf, pobj = 0, dobj = 0;
  auto certify = [&]() {
    pobj = 0;
    dobj = 0;
    for (size_t b = 0; b < kb; ++b) {
      pobj += arma::dot(cn[b], y[b]);
      dobj += t(b) * lambda_min_sym(cn[b] + rho * u[b]);
    }
    arma::rowvec colmax(n);
    colmax.fill(-arma::datum::inf);
    for (size_t b = 0; b < kb; ++b) colmax = arma::max(colmax, arma::max(rho * u[b], 0));
    dobj -= arma::accu(colmax);
    gap = std::abs(pobj - dobj) / (1.0 + std::abs(pobj) + std::abs(dobj));
  };
  auto rescale = [&](double f) {
    for (auto& b : u) b *= f;
  };
  int it = 0;
  for (it = 1; it <= opt.max_iter; ++it) {
    int rank = 0;
    for (size_t b = 0; b < kb; ++b) {
      int rb = 0;
      proj[b].set_tolerance(eig_tolerance(pres, dres));
      const arma::mat v = y[b] - u[b] - cn[b] / rho;  // Y_k is not symmetric: symmetrise by averaging
      z[b] = proj[b].project(0.5 * (v + v.t()), t(b), &rb, cert);
      rank += rb;
    }
    cert.final_rank = rank;
    for (size_t b = 0; b < kb; ++b) yold[b] = y[b];
    for (arma::uword j = 0; j < n; ++j) {
      for (size_t b = 0; b < kb; ++b) {
        const double* zc = z[b].colptr(j);
        const double* yc = yold[b].colptr(j);
        const double* uc = u[b].colptr(j);
        double* out = col.data() + b * n;
        for (arma::uword i = 0; i < n; ++i) out[i] = alpha * zc[i] + (1.0 - alpha) * yc[i] + uc[i];
      }
      project_simplex(col.data(), kb * n, buf);
      for (size_t b = 0; b < kb; ++b) std::copy(col.begin() + static_cast<std::ptrdiff_t>(b * n),
                                                col.begin() + static_cast<std::ptrdiff_t>((b + 1) * n), y[b].colptr(j));
    }
    double pz = 0, zz = 0, dy = 0;
    for (size_t b = 0; b < kb; ++b) {
      u[b] += alpha * z[b] + (1.0 - alpha) * yold[b] - y[b];
      pz += arma::accu(arma::square(z[b] - y[b]));
      zz += arma::accu(arma::square(z[b]));
      dy += arma::accu(arma::square(y[b] - yold[b]));
    }
    pres = std::sqrt(pz) / (1.0 + std::sqrt(zz));
    dres = rho * std::sqrt(dy) / (1.0 + cnorm);
    if (mon.stop(it, pres, dres, rho, gap, certify, rescale)) break;
  }
  if (!cert.converged) certify();
  cert.iterations = std::min(it, opt.max_iter);
  cert.primal_residual = pres;
  cert.dual_residual = dres;
  cert.gap = gap;
  cert.primal_objective = (pobj + shift_const) * cs;
  cert.dual_objective = (dobj + shift_const) * cs;
  cert.rho = rho;
  cert.seconds = mon.seconds();
  z = y;  // nonnegative, column sums exact; symmetrise
  for (auto& b : z) b = 0.5 * (b + b.t());
  if (dual) {
    dual->assign(kb, arma::mat());
    for (size_t b = 0; b < kb; ++b) (*dual)[b] = (rho * cs) * u[b];
  }
  return cert;
}

arma::uvec spectral_round(const arma::mat& z, int k, Rng& rng, int n_init) {
  arma::vec ev;
  arma::mat q;
  if (!arma::eig_sym(ev, q, arma::mat(0.5 * (z + z.t())), "dc"))
    check::fail("spectral_round", "eigen-decomposition failed", Status::numerical);
  const arma::mat top = q.tail_cols(static_cast<arma::uword>(k));
  return kmeans(top, k, n_init, 300, rng).labels;
}

arma::uvec factor_round(const arma::mat& u, int k, Rng& rng, int n_init) {
  arma::mat lu, rv;
  arma::vec s;
  if (!arma::svd_econ(lu, s, rv, u, "left")) check::fail("factor_round", "SVD failed", Status::numerical);
  const arma::mat top = lu.head_cols(std::min<arma::uword>(static_cast<arma::uword>(k), lu.n_cols));
  return kmeans(top, k, n_init, 300, rng).labels;
}

}  // namespace hetmod::sdpcluster::detail
