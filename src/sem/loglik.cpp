// src/sem/loglik.cpp -- SEM kernels: implied moments, ML/GLS/ULS objectives, analytic gradients,
// Jacobian and expected information (sem/loglik.hpp).
//
// Outline (spec/sem.md sections 1.6 and 2):
// 1. RAM fill: A[i,j] (path j -> i), S symmetric, M from theta and the fixed cells.
// 2. B = (I-A)^{-1} by LU with partial pivoting (cyclic A allowed; only det(I-A) != 0 needed);
//    Bf = rows 0..p-1 of B (F B).
// 3. Sigma = Bf S Bf^T, mu = Bf M.
// 4. ML:  F = log|Sigma| + tr(S Sigma^-1) - log|S| - p + d^T Sigma^-1 d,  d = xbar - mu (means only).
//    GLS: F = 1/2 tr((S^-1 (S - Sigma))^2).  ULS: F = sum_{i<=j} (s_ij - sigma_ij)^2.
//    chi-square = N F (ML) or (N-1) F (GLS, ULS: S with the N-1 divisor, as lavaan).
// 5. Gradient by the one-pass formula: with dF = tr(W dSigma) [+ mean part],
//      ML:  W = Sigma^-1 (Sigma - S - d d^T) Sigma^-1,  GLS: W = V (Sigma - S) V (V = S^-1),
//      ULS: W_ii = 2 (sigma - s)_ii, W_ij = (sigma - s)_ij;
//    C = Bf^T W Bf;  dF/dA = 2 C S B^T;  dF/ds_ii = C_ii;  dF/ds_ij = 2 C_ij;
//    mean part (ML): u = Bf^T Sigma^-1 d;  dF/dM = -2 u;  dF/dA_ij += -2 u_i (B M)_j.
//    A free parameter sums the derivatives of its cells (equality labels).
// 6. Jacobian: dSigma/da_ij = Bf e_i (B S Bf^T)_{j,.} + transpose; dSigma/ds_ij = Bf (E_ij + E_ji) Bf^T
//    (E_ii once); dmu/dm_i = Bf e_i; dmu/da_ij = Bf e_i (B M)_j.
// 7. Expected information per observation: I_kl = 1/2 tr(Sigma^-1 D_k Sigma^-1 D_l) + dmu_k^T Sigma^-1 dmu_l.
// 8. FIML (casewise normal likelihood, grouped by missing-data pattern k with observed set o_k):
//    F = (1/N) sum_k n_k [log|Sigma_oo| + tr(Sigma_oo^-1 (S_k + d_k d_k^T))], d_k = ybar_k - mu_o; each
//    Sigma_oo is factored once per evaluation. dF = tr(W dSigma) - 2 wd^T dmu with
//    W = (1/N) sum_k n_k E_k(Si - Si (S_k + d d^T) Si) E_k^T and wd = (1/N) sum_k n_k E_k Si d_k, so the
//    one-pass gradient of 5. applies unchanged. Expected information: per pattern
//    n_k/N [1/2 tr(Si D_a,oo Si D_b,oo) + dmu_a,o^T Si dmu_b,o] (lavaan lav_mvnorm_missing_information_expected).
// 9. Saturated H1 model by EM (conditional expectations of the missing block per pattern).
// No heap allocation after construction in implied()/objective()/fiml().
#include "hetmod/sem/loglik.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "hetmod/core/check.hpp"
#include "util.hpp"

namespace hetmod::sem::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

bool cholesky_inplace(double* a, int n, double* logdet) {
  double ld = 0;
  for (int j = 0; j < n; ++j) {
    double d = a[ix(j, j, n)];
    for (int k = 0; k < j; ++k) d -= a[ix(j, k, n)] * a[ix(j, k, n)];
    if (!(d > 0.0) || !std::isfinite(d)) return false;
    const double ljj = std::sqrt(d);
    a[ix(j, j, n)] = ljj;
    ld += 2.0 * std::log(ljj);
    for (int i = j + 1; i < n; ++i) {
      double s = a[ix(i, j, n)];
      for (int k = 0; k < j; ++k) s -= a[ix(i, k, n)] * a[ix(j, k, n)];
      a[ix(i, j, n)] = s / ljj;
    }
    for (int i = 0; i < j; ++i) a[ix(i, j, n)] = 0.0;
  }
  if (logdet) *logdet = ld;
  return true;
}

void cholesky_inverse(const double* l, int n, double* out) {
  // X = L^{-1} (lower) in the lower triangle of out, column by column (L X = I), then
  // out = X^T X with contiguous column dot products.
  thread_local std::vector<double> xw;
  const std::size_t nn = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  if (xw.size() < nn) xw.resize(nn);
  double* x = xw.data();
  for (int c = 0; c < n; ++c) {
    double* xc = x + ix(0, c, n);
    for (int i = 0; i < c; ++i) xc[i] = 0.0;
    xc[c] = 1.0 / l[ix(c, c, n)];
    for (int i = c + 1; i < n; ++i) xc[i] = 0.0;
    // forward substitution, column-oriented: subtract column k of L times x_k
    for (int k = c; k < n; ++k) {
      if (k > c) xc[k] /= l[ix(k, k, n)];
      const double xk = xc[k];
      if (xk == 0.0) continue;
      const double* lk = l + ix(0, k, n);
      for (int i = k + 1; i < n; ++i) xc[i] -= lk[i] * xk;
    }
    xc[c] = 1.0 / l[ix(c, c, n)];
  }
  for (int j = 0; j < n; ++j) {
    const double* xj = x + ix(0, j, n);
    for (int i = 0; i <= j; ++i) {
      const double* xi = x + ix(0, i, n);
      double s = 0;
      for (int k = j; k < n; ++k) s += xi[k] * xj[k];
      out[ix(i, j, n)] = out[ix(j, i, n)] = s;
    }
  }
}

Kernel::Kernel(RamStructure ram, const std::vector<double>& sample_cov, const std::vector<double>& sample_mean)
    : ram_(std::move(ram)), p_(ram_.p), m_(ram_.m) {
  const std::size_t pp = static_cast<std::size_t>(p_) * static_cast<std::size_t>(p_);
  const std::size_t mm = static_cast<std::size_t>(m_) * static_cast<std::size_t>(m_);
  const std::size_t pm = static_cast<std::size_t>(p_) * static_cast<std::size_t>(m_);
  scov_ = sample_cov;
  if (scov_.empty()) scov_.assign(pp, 0.0);
  check::same_size("sem::Kernel", "sample_cov", static_cast<int64_t>(scov_.size()), static_cast<int64_t>(pp));
  smean_ = sample_mean;
  if (smean_.empty()) smean_.assign(static_cast<std::size_t>(p_), 0.0);
  A_.assign(mm, 0.0);
  S_.assign(mm, 0.0);
  M_.assign(static_cast<std::size_t>(m_), 0.0);
  lu_.assign(mm, 0.0);
  B_.assign(mm, 0.0);
  sigma_.assign(pp, 0.0);
  mu_.assign(static_cast<std::size_t>(p_), 0.0);
  chol_.assign(pp, 0.0);
  sigma_inv_.assign(pp, 0.0);
  W_.assign(pp, 0.0);
  tmp_.assign(std::max(pm, pp), 0.0);
  C_.assign(mm, 0.0);
  SBt_.assign(mm, 0.0);
  BM_.assign(static_cast<std::size_t>(m_), 0.0);
  d_.assign(static_cast<std::size_t>(std::max(p_, m_)), 0.0);
  wd_.assign(static_cast<std::size_t>(std::max(p_, m_)), 0.0);
  piv_.assign(static_cast<std::size_t>(m_), 0);
  fa_.assign(pp, 0.0);
  fb_.assign(pp, 0.0);
  fc_.assign(pp, 0.0);
  fv_.assign(static_cast<std::size_t>(p_), 0.0);
  fw_.assign(static_cast<std::size_t>(p_), 0.0);
  // structural nilpotency of A: if A^k == 0 for the pattern, B = I + A + ... + A^{k-1} (no LU)
  {
    std::vector<char> pat(mm, 0), pw, nxt(mm, 0);
    for (const auto& c : ram_.cells)
      if (c.mat == mat_a && (c.par >= 0 || c.value != 0.0)) pat[ix(c.row, c.col, m_)] = 1;
    pw = pat;
    nilpotent_k_ = 0;
    for (int k = 1; k <= m_ + 1; ++k) {
      bool any = false;
      for (char v : pw) any = any || v;
      if (!any) {
        nilpotent_k_ = k;
        break;
      }
      std::fill(nxt.begin(), nxt.end(), 0);
      for (int j = 0; j < m_; ++j)
        for (int l = 0; l < m_; ++l)
          if (pw[ix(l, j, m_)])
            for (int i = 0; i < m_; ++i)
              if (pat[ix(i, l, m_)]) nxt[ix(i, j, m_)] = 1;
      pw.swap(nxt);
    }
    std::vector<char> seen(static_cast<std::size_t>(m_), 0);
    for (const auto& c : ram_.cells)
      if (c.mat == mat_a && c.par >= 0 && !seen[static_cast<std::size_t>(c.col)]) {
        seen[static_cast<std::size_t>(c.col)] = 1;
        a_cols_.push_back(c.col);
      }
    // structural pattern of B = (I-A)^{-1}: B[i,k] != 0 only if i is reachable from k (k -> ... -> i)
    const std::size_t mu = static_cast<std::size_t>(m_);
    std::vector<std::vector<int>> out(mu);
    for (int j = 0; j < m_; ++j)
      for (int i = 0; i < m_; ++i)
        if (pat[ix(i, j, m_)]) out[static_cast<std::size_t>(j)].push_back(i);
    bsup_.assign(mu, {});
    brow_.assign(mu, {});
    std::vector<char> reach(mu);
    std::vector<int> stack;
    for (int k = 0; k < m_; ++k) {
      std::fill(reach.begin(), reach.end(), 0);
      reach[static_cast<std::size_t>(k)] = 1;
      stack.assign(1, k);
      while (!stack.empty()) {
        const int v = stack.back();
        stack.pop_back();
        for (int w : out[static_cast<std::size_t>(v)])
          if (!reach[static_cast<std::size_t>(w)]) {
            reach[static_cast<std::size_t>(w)] = 1;
            stack.push_back(w);
          }
      }
      for (int i = 0; i < m_; ++i)
        if (reach[static_cast<std::size_t>(i)]) {
          if (i < p_) bsup_[static_cast<std::size_t>(k)].push_back(i);
          brow_[static_cast<std::size_t>(i)].push_back(k);
        }
    }
    for (int j = 0; j < m_; ++j)
      for (int i = 0; i < m_; ++i)
        if (pat[ix(i, j, m_)]) a_cells_.push_back({i, j});
    std::vector<char> sp(mm, 0);
    for (const auto& c : ram_.cells)
      if (c.mat == mat_s) {
        const int k = std::min(c.row, c.col), l = std::max(c.row, c.col);
        if (!sp[ix(k, l, m_)]) {
          sp[ix(k, l, m_)] = 1;
          sent_.push_back({k, l});
        }
      }
    a_slot_.assign(mu, -1);
    for (std::size_t s = 0; s < a_cols_.size(); ++s) a_slot_[static_cast<std::size_t>(a_cols_[s])] = static_cast<int>(s);
    SBf_.assign(pm, 0.0);
    T_.assign(a_cols_.size() * static_cast<std::size_t>(p_), 0.0);
  }
  // sample inverse and log-determinant (GLS and the ML constant)
  scov_inv_.assign(pp, 0.0);
  std::vector<double> l = scov_;
  sample_pd_ = cholesky_inplace(l.data(), p_, &logdet_s_);
  if (sample_pd_) cholesky_inverse(l.data(), p_, scov_inv_.data());
}

void Kernel::fill(const double* theta) {
  // the same cells are written at every call and every other entry stays zero from the constructor
  for (const auto& c : ram_.cells) {
    const double v = c.par >= 0 ? theta[c.par] : c.value;
    if (c.mat == mat_a) {
      A_[ix(c.row, c.col, m_)] = v;
    } else if (c.mat == mat_s) {
      S_[ix(c.row, c.col, m_)] = v;
      S_[ix(c.col, c.row, m_)] = v;
    } else {
      M_[static_cast<std::size_t>(c.row)] = v;
    }
  }
}

bool Kernel::invert_i_minus_a() {
  const int m = m_;
  if (nilpotent_k_ > 0) {
    // B = I + A (I + A (I + ...)): nilpotent_k_ - 1 Horner steps; det(I - A) = 1
    for (int j = 0; j < m; ++j)
      for (int i = 0; i < m; ++i) B_[ix(i, j, m)] = (i == j ? 1.0 : 0.0);
    for (int step = 1; step < nilpotent_k_; ++step) {
      // lu_ = A B over the structural cells of A; B = I + lu_
      std::fill(lu_.begin(), lu_.end(), 0.0);
      for (const auto& e : a_cells_) {
        const double a = A_[ix(e.first, e.second, m)];
        if (a == 0.0) continue;
        for (int j = 0; j < m; ++j) lu_[ix(e.first, j, m)] += a * B_[ix(e.second, j, m)];
      }
      for (int j = 0; j < m; ++j)
        for (int i = 0; i < m; ++i) B_[ix(i, j, m)] = (i == j ? 1.0 : 0.0) + lu_[ix(i, j, m)];
    }
    det_ = 1.0;
    return true;
  }
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < m; ++i) lu_[ix(i, j, m)] = (i == j ? 1.0 : 0.0) - A_[ix(i, j, m)];
  double det = 1.0;
  for (int k = 0; k < m; ++k) {
    int pr = k;
    double best = std::fabs(lu_[ix(k, k, m)]);
    for (int i = k + 1; i < m; ++i) {
      const double v = std::fabs(lu_[ix(i, k, m)]);
      if (v > best) {
        best = v;
        pr = i;
      }
    }
    piv_[static_cast<std::size_t>(k)] = pr;
    if (!(best > 1e-14)) {
      det_ = 0.0;
      return false;
    }
    if (pr != k) {
      for (int j = 0; j < m; ++j) std::swap(lu_[ix(k, j, m)], lu_[ix(pr, j, m)]);
      det = -det;
    }
    const double piv = lu_[ix(k, k, m)];
    det *= piv;
    for (int i = k + 1; i < m; ++i) {
      const double f = lu_[ix(i, k, m)] / piv;
      lu_[ix(i, k, m)] = f;
      if (f == 0.0) continue;
      for (int j = k + 1; j < m; ++j) lu_[ix(i, j, m)] -= f * lu_[ix(k, j, m)];
    }
  }
  det_ = det;
  // B = (I-A)^{-1}: solve for each column of the identity
  for (int c = 0; c < m; ++c) {
    double* x = B_.data() + ix(0, c, m);
    for (int i = 0; i < m; ++i) x[i] = (i == c) ? 1.0 : 0.0;
    for (int k = 0; k < m; ++k) {
      const int pr = piv_[static_cast<std::size_t>(k)];
      if (pr != k) std::swap(x[k], x[pr]);
    }
    for (int i = 0; i < m; ++i) {
      double s = x[i];
      for (int k = 0; k < i; ++k) s -= lu_[ix(i, k, m)] * x[k];
      x[i] = s;
    }
    for (int i = m - 1; i >= 0; --i) {
      double s = x[i];
      for (int k = i + 1; k < m; ++k) s -= lu_[ix(i, k, m)] * x[k];
      x[i] = s / lu_[ix(i, i, m)];
    }
  }
  return true;
}

bool Kernel::implied(const double* theta) {
  ++nevals_;
  fill(theta);
  if (!invert_i_minus_a()) return false;
  const int p = p_, m = m_;
  const std::size_t pu = static_cast<std::size_t>(p);
  // SBf = S Bf^T, row l (p values, contiguous): sum over the structural S cells of S_lk b_k^T
  std::fill(SBf_.begin(), SBf_.end(), 0.0);
  for (const auto& e : sent_) {
    const int k = e.first, l = e.second;
    const double s = S_[ix(k, l, m)];
    if (s == 0.0) continue;
    double* rl = SBf_.data() + pu * static_cast<std::size_t>(l);
    for (int i : bsup_[static_cast<std::size_t>(k)]) rl[i] += s * B_[ix(i, k, m)];
    if (k != l) {
      double* rk = SBf_.data() + pu * static_cast<std::size_t>(k);
      for (int i : bsup_[static_cast<std::size_t>(l)]) rk[i] += s * B_[ix(i, l, m)];
    }
  }
  // Sigma = Bf SBf: column i of Sigma (= row i, symmetric) += B[i,l] SBf row l
  std::fill(sigma_.begin(), sigma_.end(), 0.0);
  for (int l = 0; l < m; ++l) {
    const double* rl = SBf_.data() + pu * static_cast<std::size_t>(l);
    for (int i : bsup_[static_cast<std::size_t>(l)]) {
      const double b = B_[ix(i, l, m)];
      if (b == 0.0) continue;
      double* col = sigma_.data() + pu * static_cast<std::size_t>(i);
      for (int j = 0; j < p; ++j) col[j] += b * rl[j];
    }
  }
  for (int j = 0; j < p; ++j)
    for (int i = j + 1; i < p; ++i) {
      const double v = 0.5 * (sigma_[ix(i, j, p)] + sigma_[ix(j, i, p)]);
      sigma_[ix(i, j, p)] = sigma_[ix(j, i, p)] = v;
    }
  if (ram_.means) {
    for (int i = 0; i < m; ++i) {
      double s = 0;
      for (int k : brow_[static_cast<std::size_t>(i)]) s += B_[ix(i, k, m)] * M_[static_cast<std::size_t>(k)];
      BM_[static_cast<std::size_t>(i)] = s;
    }
    for (int i = 0; i < p; ++i) mu_[static_cast<std::size_t>(i)] = BM_[static_cast<std::size_t>(i)];
  }
  t_rows();
  return true;
}

void Kernel::t_rows() {
  // t_j = row j of T = B S Bf^T = sum_l B[j,l] SBf row l, for the columns j of free A cells
  const std::size_t pu = static_cast<std::size_t>(p_);
  for (std::size_t s = 0; s < a_cols_.size(); ++s) {
    const int j = a_cols_[s];
    double* t = T_.data() + pu * s;
    std::fill(t, t + p_, 0.0);
    for (int l : brow_[static_cast<std::size_t>(j)]) {
      const double b = B_[ix(j, l, m_)];
      if (b == 0.0) continue;
      const double* rl = SBf_.data() + pu * static_cast<std::size_t>(l);
      for (int i = 0; i < p_; ++i) t[i] += b * rl[i];
    }
  }
}

bool Kernel::sigma_inverse() {
  std::copy(sigma_.begin(), sigma_.end(), chol_.begin());
  if (!cholesky_inplace(chol_.data(), p_, &logdet_sigma_)) return false;
  cholesky_inverse(chol_.data(), p_, sigma_inv_.data());
  return true;
}

void Kernel::gradient_from_w(const double* w, const double* u, double* grad) {
  // dF = tr(W dSigma): S cell (i,j): b_i^T W b_j (x2 off the diagonal); A cell (i,j): 2 (W b_i) . t_j
  // (b_i = column i of Bf, sparse; t_j = row j of B S Bf^T); mean part -2 u_i [(B M)_j].
  const int p = p_, m = m_;
  const std::size_t pu = static_cast<std::size_t>(p);
  std::fill(grad, grad + ram_.npar, 0.0);
  for (const auto& c : ram_.cells) {
    if (c.par < 0) continue;
    double g = 0;
    if (c.mat == mat_a) {
      const double* t = T_.data() + pu * static_cast<std::size_t>(a_slot_[static_cast<std::size_t>(c.col)]);
      for (int a : bsup_[static_cast<std::size_t>(c.row)]) {
        const double b = B_[ix(a, c.row, m)];
        if (b == 0.0) continue;
        const double* wa = w + pu * static_cast<std::size_t>(a);
        double s = 0;
        for (int k = 0; k < p; ++k) s += wa[k] * t[k];
        g += b * s;
      }
      g *= 2.0;
      if (u) g -= 2.0 * u[c.row] * BM_[static_cast<std::size_t>(c.col)];
    } else if (c.mat == mat_s) {
      for (int a : bsup_[static_cast<std::size_t>(c.row)]) {
        const double ba = B_[ix(a, c.row, m)];
        if (ba == 0.0) continue;
        const double* wa = w + pu * static_cast<std::size_t>(a);
        double s = 0;
        for (int b : bsup_[static_cast<std::size_t>(c.col)]) s += wa[b] * B_[ix(b, c.col, m)];
        g += ba * s;
      }
      if (c.row != c.col) g *= 2.0;
    } else {
      if (u) g = -2.0 * u[c.row];
    }
    grad[c.par] += g;
  }
}

double Kernel::objective(Obj obj, const double* theta, double* grad) {
  if (!implied(theta)) return kInf;
  const int p = p_;
  const std::size_t pp = static_cast<std::size_t>(p) * static_cast<std::size_t>(p);
  if (obj == Obj::ml) {
    if (!sigma_inverse()) return kInf;
    // tmp = S Sigma^-1
    double tr = 0;
    for (int j = 0; j < p; ++j)
      for (int i = 0; i < p; ++i) {
        double s = 0;
        const double* si = scov_.data() + ix(0, i, p);  // S symmetric: row i = column i
        const double* vj = sigma_inv_.data() + ix(0, j, p);
        for (int k = 0; k < p; ++k) s += si[k] * vj[k];
        tmp_[ix(i, j, p)] = s;
        if (i == j) tr += s;
      }
    double f = logdet_sigma_ + tr - logdet_s_ - p;
    const bool means = ram_.means;
    if (means) {
      for (int i = 0; i < p; ++i) d_[static_cast<std::size_t>(i)] = smean_[static_cast<std::size_t>(i)] - mu_[static_cast<std::size_t>(i)];
      double q = 0;
      for (int i = 0; i < p; ++i) {
        double s = 0;
        for (int k = 0; k < p; ++k) s += sigma_inv_[ix(i, k, p)] * d_[static_cast<std::size_t>(k)];
        wd_[static_cast<std::size_t>(i)] = s;
        q += s * d_[static_cast<std::size_t>(i)];
      }
      f += q;
    }
    if (grad) {
      // W = Sigma^-1 - Sigma^-1 S Sigma^-1 - wd wd^T
      for (int j = 0; j < p; ++j)
        for (int i = j; i < p; ++i) {
          double s = 0;
          const double* vi = sigma_inv_.data() + ix(0, i, p);
          const double* tj = tmp_.data() + ix(0, j, p);
          for (int k = 0; k < p; ++k) s += vi[k] * tj[k];
          double w = sigma_inv_[ix(i, j, p)] - s;
          if (means) w -= wd_[static_cast<std::size_t>(i)] * wd_[static_cast<std::size_t>(j)];
          W_[ix(i, j, p)] = w;
          W_[ix(j, i, p)] = w;
        }
      if (means) {
        // u = Bf^T wd (m), stored in d_
        for (int k = 0; k < m_; ++k) {
          double s = 0;
          for (int i : bsup_[static_cast<std::size_t>(k)]) s += B_[ix(i, k, m_)] * wd_[static_cast<std::size_t>(i)];
          d_[static_cast<std::size_t>(k)] = s;
        }
      }
      gradient_from_w(W_.data(), means ? d_.data() : nullptr, grad);
    }
    return f;
  }
  if (obj == Obj::gls) {
    // R = V (S - Sigma) into W_ ; F = tr(R R); W = -2 R V into tmp_ -> W_
    for (int j = 0; j < p; ++j)
      for (int i = 0; i < p; ++i) {
        double s = 0;
        for (int k = 0; k < p; ++k) s += scov_inv_[ix(i, k, p)] * (scov_[ix(k, j, p)] - sigma_[ix(k, j, p)]);
        W_[ix(i, j, p)] = s;
      }
    double f = 0;
    for (int i = 0; i < p; ++i)
      for (int j = 0; j < p; ++j) f += W_[ix(i, j, p)] * W_[ix(j, i, p)];
    f *= 0.5;
    if (grad) {
      for (int j = 0; j < p; ++j)
        for (int i = 0; i < p; ++i) {
          double s = 0;
          for (int k = 0; k < p; ++k) s += W_[ix(i, k, p)] * scov_inv_[ix(k, j, p)];
          tmp_[ix(i, j, p)] = -s;
        }
      std::copy(tmp_.begin(), tmp_.begin() + static_cast<std::ptrdiff_t>(pp), W_.begin());
      for (int j = 0; j < p; ++j)
        for (int i = j + 1; i < p; ++i) {
          const double v = 0.5 * (W_[ix(i, j, p)] + W_[ix(j, i, p)]);
          W_[ix(i, j, p)] = W_[ix(j, i, p)] = v;
        }
      gradient_from_w(W_.data(), nullptr, grad);
    }
    return f;
  }
  // ULS
  double f = 0;
  for (int j = 0; j < p; ++j)
    for (int i = j; i < p; ++i) {
      const double r = sigma_[ix(i, j, p)] - scov_[ix(i, j, p)];
      f += r * r;
      const double w = (i == j) ? 2.0 * r : r;
      W_[ix(i, j, p)] = w;
      W_[ix(j, i, p)] = w;
    }
  if (grad) gradient_from_w(W_.data(), nullptr, grad);
  return f;
}

void Kernel::case_gradient(const double* d, double* grad) {
  const int p = p_;
  for (int i = 0; i < p; ++i) {
    double s = 0;
    for (int k = 0; k < p; ++k) s += sigma_inv_[ix(i, k, p)] * d[k];
    wd_[static_cast<std::size_t>(i)] = s;
  }
  for (int j = 0; j < p; ++j)
    for (int i = 0; i < p; ++i)
      W_[ix(i, j, p)] = sigma_inv_[ix(i, j, p)] - wd_[static_cast<std::size_t>(i)] * wd_[static_cast<std::size_t>(j)];
  gradient_from_w(W_.data(), nullptr, grad);
}

void Kernel::jacobian(std::vector<double>& dsigma, std::vector<double>& dmu) {
  const int p = p_, m = m_, q = ram_.npar;
  const std::size_t pp = static_cast<std::size_t>(p) * static_cast<std::size_t>(p);
  dsigma.assign(pp * static_cast<std::size_t>(q), 0.0);
  dmu.assign(static_cast<std::size_t>(p) * static_cast<std::size_t>(q), 0.0);
  // T = B S Bf^T (m x p) from tmp = S Bf^T
  std::vector<double> sbf(static_cast<std::size_t>(m) * static_cast<std::size_t>(p)), T(sbf.size());
  for (int j = 0; j < p; ++j)
    for (int k = 0; k < m; ++k) {
      double s = 0;
      for (int l = 0; l < m; ++l) s += S_[ix(k, l, m)] * B_[ix(j, l, m)];
      sbf[ix(k, j, m)] = s;
    }
  for (int j = 0; j < p; ++j)
    for (int k = 0; k < m; ++k) {
      double s = 0;
      for (int l = 0; l < m; ++l) s += B_[ix(k, l, m)] * sbf[ix(l, j, m)];
      T[ix(k, j, m)] = s;
    }
  for (const auto& c : ram_.cells) {
    if (c.par < 0) continue;
    double* D = dsigma.data() + pp * static_cast<std::size_t>(c.par);
    double* dm = dmu.data() + static_cast<std::size_t>(p) * static_cast<std::size_t>(c.par);
    if (c.mat == mat_a) {
      for (int b = 0; b < p; ++b)
        for (int a = 0; a < p; ++a) D[ix(a, b, p)] += B_[ix(a, c.row, m)] * T[ix(c.col, b, m)] + B_[ix(b, c.row, m)] * T[ix(c.col, a, m)];
      if (ram_.means)
        for (int a = 0; a < p; ++a) dm[a] += B_[ix(a, c.row, m)] * BM_[static_cast<std::size_t>(c.col)];
    } else if (c.mat == mat_s) {
      for (int b = 0; b < p; ++b)
        for (int a = 0; a < p; ++a) {
          D[ix(a, b, p)] += B_[ix(a, c.row, m)] * B_[ix(b, c.col, m)];
          if (c.row != c.col) D[ix(a, b, p)] += B_[ix(a, c.col, m)] * B_[ix(b, c.row, m)];
        }
    } else {
      for (int a = 0; a < p; ++a) dm[a] += B_[ix(a, c.row, m)];
    }
  }
}

std::vector<double> Kernel::expected_information() {
  const int q = ram_.npar;
  if (!sigma_inverse()) check::fail("sem::expected_information", "the implied covariance matrix is not positive definite", Status::numerical);
  std::vector<double> info(static_cast<std::size_t>(q) * static_cast<std::size_t>(q), 0.0);
  information(sigma_inv_.data(), info.data());
  return info;
}

void Kernel::information(const double* V, double* out) {
  // Every D_k is a sum over the cells of parameter k of c * (u v^T + v u^T): A (i,j): c = 1, u = b_i,
  // v = t_j; S (i,j): c = 1, u = b_i, v = b_j (c = 1/2 on the diagonal). With K = Z^T V Z over the
  // vectors z in {b_i, t_j}:  1/2 tr(V D_k V D_l) = sum c c' [K(u,u') K(v,v') + K(u,v') K(v,u')].
  // Mean part: dmu = (B M)_j b_i (A), b_i (M): dmu_k^T V dmu_l = sum e e' K(b_i, b_i').
  const int p = p_, m = m_, q = ram_.npar;
  const std::size_t pu = static_cast<std::size_t>(p);
  std::fill(out, out + static_cast<std::size_t>(q) * static_cast<std::size_t>(q), 0.0);
  // z index: b_i -> i (0..m-1), t_j -> m + slot
  const int nz = m + static_cast<int>(a_cols_.size());
  const std::size_t nzu = static_cast<std::size_t>(nz);
  std::vector<int> used(nzu, -1), zlist;
  auto use = [&](int z) {
    if (used[static_cast<std::size_t>(z)] < 0) {
      used[static_cast<std::size_t>(z)] = static_cast<int>(zlist.size());
      zlist.push_back(z);
    }
  };
  struct Term {
    int par, u, v;
    double c, e;  // e: mean coefficient (0 if none), for b_u
  };
  std::vector<Term> terms;
  for (const auto& c : ram_.cells) {
    if (c.par < 0) continue;
    Term t{c.par, -1, -1, 0.0, 0.0};
    if (c.mat == mat_a) {
      t.u = c.row;
      t.v = m + a_slot_[static_cast<std::size_t>(c.col)];
      t.c = 1.0;
      if (ram_.means) t.e = BM_[static_cast<std::size_t>(c.col)];
    } else if (c.mat == mat_s) {
      t.u = c.row;
      t.v = c.col;
      t.c = c.row == c.col ? 0.5 : 1.0;
    } else {
      t.u = c.row;
      t.v = -1;
      t.e = 1.0;
    }
    use(t.u);
    if (t.v >= 0) use(t.v);
    terms.push_back(t);
  }
  const int nu = static_cast<int>(zlist.size());
  const std::size_t nuu = static_cast<std::size_t>(nu);
  // V z for each used z (p each), then K = Z^T V Z (nu x nu)
  vz_.assign(nuu * pu, 0.0);
  for (int a = 0; a < nu; ++a) {
    const int z = zlist[static_cast<std::size_t>(a)];
    double* y = vz_.data() + pu * static_cast<std::size_t>(a);
    if (z < m) {
      for (int i : bsup_[static_cast<std::size_t>(z)]) {
        const double b = B_[ix(i, z, m)];
        if (b == 0.0) continue;
        const double* vi = V + pu * static_cast<std::size_t>(i);
        for (int r = 0; r < p; ++r) y[r] += b * vi[r];
      }
    } else {
      const double* t = T_.data() + pu * static_cast<std::size_t>(z - m);
      for (int i = 0; i < p; ++i) {
        const double ti = t[i];
        if (ti == 0.0) continue;
        const double* vi = V + pu * static_cast<std::size_t>(i);
        for (int r = 0; r < p; ++r) y[r] += ti * vi[r];
      }
    }
  }
  zk_.assign(nuu * nuu, 0.0);
  for (int a = 0; a < nu; ++a) {
    const int z = zlist[static_cast<std::size_t>(a)];
    for (int b = a; b < nu; ++b) {
      const double* y = vz_.data() + pu * static_cast<std::size_t>(b);
      double s = 0;
      if (z < m) {
        for (int i : bsup_[static_cast<std::size_t>(z)]) s += B_[ix(i, z, m)] * y[i];
      } else {
        const double* t = T_.data() + pu * static_cast<std::size_t>(z - m);
        for (int i = 0; i < p; ++i) s += t[i] * y[i];
      }
      zk_[static_cast<std::size_t>(a) + nuu * static_cast<std::size_t>(b)] = s;
      zk_[static_cast<std::size_t>(b) + nuu * static_cast<std::size_t>(a)] = s;
    }
  }
  auto K = [&](int z1, int z2) {
    return zk_[static_cast<std::size_t>(used[static_cast<std::size_t>(z1)]) + nuu * static_cast<std::size_t>(used[static_cast<std::size_t>(z2)])];
  };
  const std::size_t qu = static_cast<std::size_t>(q);
  for (std::size_t x = 0; x < terms.size(); ++x) {
    const Term& t1 = terms[x];
    for (std::size_t y = x; y < terms.size(); ++y) {
      const Term& t2 = terms[y];
      double s = 0;
      if (t1.v >= 0 && t2.v >= 0) s = t1.c * t2.c * (K(t1.u, t2.u) * K(t1.v, t2.v) + K(t1.u, t2.v) * K(t1.v, t2.u));
      if (t1.e != 0.0 && t2.e != 0.0) s += t1.e * t2.e * K(t1.u, t2.u);
      if (s == 0.0) continue;
      const std::size_t k = static_cast<std::size_t>(t1.par), l = static_cast<std::size_t>(t2.par);
      out[k + qu * l] += s;
      if (x != y) out[l + qu * k] += s;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 8. FIML
// ---------------------------------------------------------------------------------------------

PatternData make_patterns(const double* x, int64_t n, int p) {
  const char* fn = "sem::make_patterns";
  PatternData out;
  out.p = p;
  std::map<std::vector<char>, std::vector<int64_t>> groups;
  std::vector<std::vector<char>> order;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<char> key(static_cast<std::size_t>(p));
    bool any = false;
    for (int j = 0; j < p; ++j) {
      const double v = x[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * static_cast<std::size_t>(n)];
      key[static_cast<std::size_t>(j)] = std::isnan(v) ? 0 : 1;
      if (!std::isnan(v) && !std::isfinite(v)) check::fail(fn, "row " + std::to_string(i + 1) + " has an infinite value");
      any = any || key[static_cast<std::size_t>(j)];
    }
    check::require(any, fn, "row " + std::to_string(i + 1) + " has no observed value (remove empty rows first)");
    auto it = groups.find(key);
    if (it == groups.end()) {
      order.push_back(key);
      groups[key] = {i};
    } else {
      it->second.push_back(i);
    }
  }
  for (const auto& key : order) {
    const auto& rows = groups[key];
    Pattern pt;
    for (int j = 0; j < p; ++j)
      if (key[static_cast<std::size_t>(j)]) pt.obs.push_back(j);
    const int po = static_cast<int>(pt.obs.size());
    pt.n = static_cast<double>(rows.size());
    pt.mean.assign(static_cast<std::size_t>(po), 0.0);
    pt.cov.assign(static_cast<std::size_t>(po) * static_cast<std::size_t>(po), 0.0);
    auto val = [&](int64_t i, int a) {
      return x[static_cast<std::size_t>(i) + static_cast<std::size_t>(pt.obs[static_cast<std::size_t>(a)]) * static_cast<std::size_t>(n)];
    };
    for (int a = 0; a < po; ++a) {
      double s = 0;
      for (int64_t i : rows) s += val(i, a);
      pt.mean[static_cast<std::size_t>(a)] = s / pt.n;
    }
    for (int a = 0; a < po; ++a)
      for (int b = a; b < po; ++b) {
        double s = 0;
        for (int64_t i : rows) s += (val(i, a) - pt.mean[static_cast<std::size_t>(a)]) * (val(i, b) - pt.mean[static_cast<std::size_t>(b)]);
        pt.cov[ix(a, b, po)] = pt.cov[ix(b, a, po)] = s / pt.n;
      }
    out.ntotal += pt.n;
    out.patterns.push_back(std::move(pt));
  }
  return out;
}

double pattern_m2ll(const PatternData& d, const double* mu, const double* sigma) {
  const int p = d.p;
  std::vector<double> l(static_cast<std::size_t>(p) * static_cast<std::size_t>(p)), inv(l.size()), dv(static_cast<std::size_t>(p));
  double total = 0;
  for (const auto& pt : d.patterns) {
    const int po = static_cast<int>(pt.obs.size());
    for (int b = 0; b < po; ++b)
      for (int a = 0; a < po; ++a) l[ix(a, b, po)] = sigma[ix(pt.obs[static_cast<std::size_t>(a)], pt.obs[static_cast<std::size_t>(b)], p)];
    double ld = 0;
    if (!cholesky_inplace(l.data(), po, &ld)) return kInf;
    cholesky_inverse(l.data(), po, inv.data());
    for (int a = 0; a < po; ++a) dv[static_cast<std::size_t>(a)] = pt.mean[static_cast<std::size_t>(a)] - mu[pt.obs[static_cast<std::size_t>(a)]];
    double tr = 0;
    for (int b = 0; b < po; ++b)
      for (int a = 0; a < po; ++a)
        tr += inv[ix(a, b, po)] * (pt.cov[ix(a, b, po)] + dv[static_cast<std::size_t>(a)] * dv[static_cast<std::size_t>(b)]);
    total += pt.n * (po * 1.8378770664093454836 + ld + tr);
  }
  return total;
}

int em_saturated(const PatternData& d, std::vector<double>& mu, std::vector<double>& sigma, int maxit, double tol) {
  const int p = d.p;
  const std::size_t pp = static_cast<std::size_t>(p) * static_cast<std::size_t>(p);
  const double N = d.ntotal;
  if (mu.size() != static_cast<std::size_t>(p) || sigma.size() != pp) {
    // available-case means and variances (diagonal start)
    std::vector<double> s1(static_cast<std::size_t>(p), 0.0), s2(static_cast<std::size_t>(p), 0.0), cnt(static_cast<std::size_t>(p), 0.0);
    for (const auto& pt : d.patterns)
      for (std::size_t a = 0; a < pt.obs.size(); ++a) {
        const std::size_t j = static_cast<std::size_t>(pt.obs[a]);
        const int po = static_cast<int>(pt.obs.size());
        s1[j] += pt.n * pt.mean[a];
        s2[j] += pt.n * (pt.cov[ix(static_cast<int>(a), static_cast<int>(a), po)] + pt.mean[a] * pt.mean[a]);
        cnt[j] += pt.n;
      }
    mu.assign(static_cast<std::size_t>(p), 0.0);
    sigma.assign(pp, 0.0);
    for (int j = 0; j < p; ++j) {
      const std::size_t u = static_cast<std::size_t>(j);
      mu[u] = s1[u] / cnt[u];
      sigma[ix(j, j, p)] = std::max(s2[u] / cnt[u] - mu[u] * mu[u], 1e-8);
    }
  }
  double prev = pattern_m2ll(d, mu.data(), sigma.data()) / N;
  std::vector<double> T1(static_cast<std::size_t>(p)), T2(pp), l(pp), inv(pp), B(pp), C(pp), a(static_cast<std::size_t>(p)),
      e(static_cast<std::size_t>(p)), ym(pp);
  for (int it = 1; it <= maxit; ++it) {
    std::fill(T1.begin(), T1.end(), 0.0);
    std::fill(T2.begin(), T2.end(), 0.0);
    for (const auto& pt : d.patterns) {
      const int po = static_cast<int>(pt.obs.size());
      std::vector<int> mis;
      {
        std::size_t k = 0;
        for (int j = 0; j < p; ++j) {
          if (k < pt.obs.size() && pt.obs[k] == j) {
            ++k;
          } else {
            mis.push_back(j);
          }
        }
      }
      const int pm = static_cast<int>(mis.size());
      // second moments of the observed block: n (S_k + ybar ybar^T)
      for (int a1 = 0; a1 < po; ++a1) {
        const int ja = pt.obs[static_cast<std::size_t>(a1)];
        T1[static_cast<std::size_t>(ja)] += pt.n * pt.mean[static_cast<std::size_t>(a1)];
        for (int b1 = 0; b1 < po; ++b1) {
          const int jb = pt.obs[static_cast<std::size_t>(b1)];
          ym[ix(a1, b1, po)] = pt.cov[ix(a1, b1, po)] + pt.mean[static_cast<std::size_t>(a1)] * pt.mean[static_cast<std::size_t>(b1)];
          T2[ix(ja, jb, p)] += pt.n * ym[ix(a1, b1, po)];
        }
      }
      if (pm == 0) continue;
      for (int b1 = 0; b1 < po; ++b1)
        for (int a1 = 0; a1 < po; ++a1) l[ix(a1, b1, po)] = sigma[ix(pt.obs[static_cast<std::size_t>(a1)], pt.obs[static_cast<std::size_t>(b1)], p)];
      if (!cholesky_inplace(l.data(), po, nullptr)) return -it;
      cholesky_inverse(l.data(), po, inv.data());
      // B = Sigma_mo Soo^-1 (pm x po); C = Sigma_mm - B Sigma_om
      for (int b1 = 0; b1 < po; ++b1)
        for (int a1 = 0; a1 < pm; ++a1) {
          double s = 0;
          for (int c1 = 0; c1 < po; ++c1) s += sigma[ix(mis[static_cast<std::size_t>(a1)], pt.obs[static_cast<std::size_t>(c1)], p)] * inv[ix(c1, b1, po)];
          B[ix(a1, b1, pm)] = s;
        }
      for (int b1 = 0; b1 < pm; ++b1)
        for (int a1 = 0; a1 < pm; ++a1) {
          double s = sigma[ix(mis[static_cast<std::size_t>(a1)], mis[static_cast<std::size_t>(b1)], p)];
          for (int c1 = 0; c1 < po; ++c1) s -= B[ix(a1, c1, pm)] * sigma[ix(pt.obs[static_cast<std::size_t>(c1)], mis[static_cast<std::size_t>(b1)], p)];
          C[ix(a1, b1, pm)] = s;
        }
      // a = mu_m - B mu_o ; e = a + B ybar (conditional mean at the pattern mean)
      for (int a1 = 0; a1 < pm; ++a1) {
        double s = mu[static_cast<std::size_t>(mis[static_cast<std::size_t>(a1)])], t = 0;
        for (int c1 = 0; c1 < po; ++c1) {
          s -= B[ix(a1, c1, pm)] * mu[static_cast<std::size_t>(pt.obs[static_cast<std::size_t>(c1)])];
          t += B[ix(a1, c1, pm)] * pt.mean[static_cast<std::size_t>(c1)];
        }
        a[static_cast<std::size_t>(a1)] = s;
        e[static_cast<std::size_t>(a1)] = s + t;
        T1[static_cast<std::size_t>(mis[static_cast<std::size_t>(a1)])] += pt.n * e[static_cast<std::size_t>(a1)];
      }
      // sum_i y_m,i y_o,i^T = n (a ybar^T + B Y), Y = S_k + ybar ybar^T;  BY (pm x po)
      std::vector<double> BY(static_cast<std::size_t>(pm) * static_cast<std::size_t>(po));
      for (int b1 = 0; b1 < po; ++b1)
        for (int a1 = 0; a1 < pm; ++a1) {
          double s = 0;
          for (int c1 = 0; c1 < po; ++c1) s += B[ix(a1, c1, pm)] * ym[ix(c1, b1, po)];
          BY[ix(a1, b1, pm)] = s;
        }
      for (int b1 = 0; b1 < po; ++b1)
        for (int a1 = 0; a1 < pm; ++a1) {
          const double v = pt.n * (a[static_cast<std::size_t>(a1)] * pt.mean[static_cast<std::size_t>(b1)] + BY[ix(a1, b1, pm)]);
          T2[ix(mis[static_cast<std::size_t>(a1)], pt.obs[static_cast<std::size_t>(b1)], p)] += v;
          T2[ix(pt.obs[static_cast<std::size_t>(b1)], mis[static_cast<std::size_t>(a1)], p)] += v;
        }
      // sum_i E[y_m y_m^T] = n (C + a a^T + a (B ybar)^T + (B ybar) a^T + B Y B^T)
      for (int b1 = 0; b1 < pm; ++b1)
        for (int a1 = 0; a1 < pm; ++a1) {
          double byb = 0;
          for (int c1 = 0; c1 < po; ++c1) byb += BY[ix(a1, c1, pm)] * B[ix(b1, c1, pm)];
          const double ba = e[static_cast<std::size_t>(a1)] - a[static_cast<std::size_t>(a1)];
          const double bb = e[static_cast<std::size_t>(b1)] - a[static_cast<std::size_t>(b1)];
          const double v = C[ix(a1, b1, pm)] + a[static_cast<std::size_t>(a1)] * a[static_cast<std::size_t>(b1)] +
                           a[static_cast<std::size_t>(a1)] * bb + ba * a[static_cast<std::size_t>(b1)] + byb;
          T2[ix(mis[static_cast<std::size_t>(a1)], mis[static_cast<std::size_t>(b1)], p)] += pt.n * v;
        }
    }
    for (int j = 0; j < p; ++j) mu[static_cast<std::size_t>(j)] = T1[static_cast<std::size_t>(j)] / N;
    for (int j = 0; j < p; ++j)
      for (int i = 0; i < p; ++i) sigma[ix(i, j, p)] = T2[ix(i, j, p)] / N - mu[static_cast<std::size_t>(i)] * mu[static_cast<std::size_t>(j)];
    for (int j = 0; j < p; ++j)
      for (int i = j + 1; i < p; ++i) sigma[ix(i, j, p)] = sigma[ix(j, i, p)] = 0.5 * (sigma[ix(i, j, p)] + sigma[ix(j, i, p)]);
    const double cur = pattern_m2ll(d, mu.data(), sigma.data()) / N;
    if (!std::isfinite(cur)) return -it;
    if (std::fabs(prev - cur) < tol) return it;
    prev = cur;
  }
  return -maxit;
}

double Kernel::fiml(const PatternData& d, const double* theta, double* grad) {
  if (!implied(theta)) return kInf;
  const int p = p_;
  const double N = d.ntotal;
  if (grad) {
    std::fill(W_.begin(), W_.end(), 0.0);
    std::fill(fw_.begin(), fw_.end(), 0.0);
  }
  double f = 0;
  for (const auto& pt : d.patterns) {
    const int po = static_cast<int>(pt.obs.size());
    const int* o = pt.obs.data();
    for (int b = 0; b < po; ++b)
      for (int a = 0; a < po; ++a) fa_[ix(a, b, po)] = sigma_[ix(o[a], o[b], p)];
    double ld = 0;
    if (!cholesky_inplace(fa_.data(), po, &ld)) return kInf;
    cholesky_inverse(fa_.data(), po, fb_.data());  // fb = Si
    for (int a = 0; a < po; ++a) fv_[static_cast<std::size_t>(a)] = pt.mean[static_cast<std::size_t>(a)] - mu_[static_cast<std::size_t>(o[a])];
    // fc = S_k + d d^T
    double tr = 0;
    for (int b = 0; b < po; ++b)
      for (int a = 0; a < po; ++a) {
        const double v = pt.cov[ix(a, b, po)] + fv_[static_cast<std::size_t>(a)] * fv_[static_cast<std::size_t>(b)];
        fc_[ix(a, b, po)] = v;
        tr += fb_[ix(a, b, po)] * v;
      }
    f += pt.n * (ld + tr);
    if (!grad) continue;
    // fa = Si (S + dd^T); W_oo += n (Si - fa Si); wd_o += n Si d
    for (int b = 0; b < po; ++b)
      for (int a = 0; a < po; ++a) {
        double s = 0;
        for (int c = 0; c < po; ++c) s += fb_[ix(a, c, po)] * fc_[ix(c, b, po)];
        fa_[ix(a, b, po)] = s;
      }
    for (int b = 0; b < po; ++b)
      for (int a = b; a < po; ++a) {
        double s = 0;
        for (int c = 0; c < po; ++c) s += fa_[ix(a, c, po)] * fb_[ix(c, b, po)];
        const double w = pt.n * (fb_[ix(a, b, po)] - s);
        W_[ix(o[a], o[b], p)] += w;
        if (a != b) W_[ix(o[b], o[a], p)] += w;
      }
    for (int a = 0; a < po; ++a) {
      double s = 0;
      for (int c = 0; c < po; ++c) s += fb_[ix(a, c, po)] * fv_[static_cast<std::size_t>(c)];
      fw_[static_cast<std::size_t>(o[a])] += pt.n * s;
    }
  }
  f /= N;
  if (grad) {
    for (auto& v : W_) v /= N;
    for (auto& v : fw_) v /= N;
    for (int k = 0; k < m_; ++k) {
      double s = 0;
      for (int i = 0; i < p; ++i) s += B_[ix(i, k, m_)] * fw_[static_cast<std::size_t>(i)];
      d_[static_cast<std::size_t>(k)] = s;
    }
    gradient_from_w(W_.data(), ram_.means ? d_.data() : nullptr, grad);
  }
  return f;
}

std::vector<double> Kernel::fiml_expected_information(const PatternData& d, const double* theta) {
  const char* fn = "sem::fiml_expected_information";
  if (!implied(theta)) check::fail(fn, "I - A is singular", Status::numerical);
  const int p = p_, q = ram_.npar;
  const std::size_t pp = static_cast<std::size_t>(p) * static_cast<std::size_t>(p);
  std::vector<double> ds, dm;
  jacobian(ds, dm);
  std::vector<double> info(static_cast<std::size_t>(q) * static_cast<std::size_t>(q), 0.0);
  std::vector<double> l(pp), si(pp), G(pp * static_cast<std::size_t>(q)), wm(static_cast<std::size_t>(p) * static_cast<std::size_t>(q));
  for (const auto& pt : d.patterns) {
    const int po = static_cast<int>(pt.obs.size());
    const int* o = pt.obs.data();
    const std::size_t oo = static_cast<std::size_t>(po) * static_cast<std::size_t>(po);
    for (int b = 0; b < po; ++b)
      for (int a = 0; a < po; ++a) l[ix(a, b, po)] = sigma_[ix(o[a], o[b], p)];
    if (!cholesky_inplace(l.data(), po, nullptr)) check::fail(fn, "the implied covariance matrix is not positive definite", Status::numerical);
    cholesky_inverse(l.data(), po, si.data());
    for (int k = 0; k < q; ++k) {
      const double* D = ds.data() + pp * static_cast<std::size_t>(k);
      double* g = G.data() + oo * static_cast<std::size_t>(k);
      for (int b = 0; b < po; ++b)
        for (int a = 0; a < po; ++a) {
          double s = 0;
          for (int c = 0; c < po; ++c) s += si[ix(a, c, po)] * D[ix(o[c], o[b], p)];
          g[ix(a, b, po)] = s;
        }
      const double* mk = dm.data() + static_cast<std::size_t>(p) * static_cast<std::size_t>(k);
      for (int a = 0; a < po; ++a) {
        double s = 0;
        for (int c = 0; c < po; ++c) s += si[ix(a, c, po)] * mk[o[c]];
        wm[static_cast<std::size_t>(a) + static_cast<std::size_t>(p) * static_cast<std::size_t>(k)] = s;
      }
    }
    const double w = pt.n / d.ntotal;
    for (int k = 0; k < q; ++k) {
      const double* gk = G.data() + oo * static_cast<std::size_t>(k);
      for (int k2 = k; k2 < q; ++k2) {
        const double* gl = G.data() + oo * static_cast<std::size_t>(k2);
        double s = 0;
        for (int a = 0; a < po; ++a)
          for (int b = 0; b < po; ++b) s += gk[ix(a, b, po)] * gl[ix(b, a, po)];
        s *= 0.5;
        if (ram_.means) {
          const double* ml = dm.data() + static_cast<std::size_t>(p) * static_cast<std::size_t>(k2);
          for (int a = 0; a < po; ++a) s += wm[static_cast<std::size_t>(a) + static_cast<std::size_t>(p) * static_cast<std::size_t>(k)] * ml[o[a]];
        }
        info[ix(k, k2, q)] += w * s;
        if (k2 != k) info[ix(k2, k, q)] += w * s;
      }
    }
  }
  return info;
}

}  // namespace hetmod::sem::detail
