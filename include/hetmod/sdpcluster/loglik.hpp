// hetmod/sdpcluster/loglik.hpp -- Gaussian mixture densities and the LA-SDP profile likelihood.
//
// 1. log N(x_i | mu, Sigma) for each row of x (Cholesky of Sigma; Error(numerical) if not PD).
// 2. Mixture log-likelihood sum_i log sum_k w_k N(x_i | mu_k, Sigma_k) by log-sum-exp.
// 3. Regularised profile -2 log-likelihood of a hard partition (spec 1.4):
//    sum_k n_k [p + log det(S_k + eps I)] + n p log(2 pi), S_k the within-cluster MLE covariance.
#pragma once
#include <vector>

#include "hetmod/data/view.hpp"

namespace hetmod::sdpcluster {

/// log N(x_i | mean, cov) for the n rows of x (n x p); mean: p; cov: p x p column-major.
std::vector<double> gaussian_logdens(data::MatView x, const std::vector<double>& mean, const std::vector<double>& cov);

/// Mixture log-likelihood; means k x p, covs k blocks p x p, weights k (sum 1).
double mixture_loglik(data::MatView x, const std::vector<double>& means, const std::vector<double>& covs,
                      const std::vector<double>& weights);

/// Regularised profile -2 log-likelihood of a partition (labels 0..k-1, every cluster non-empty).
double profile_neg2_loglik(data::MatView x, const std::vector<int>& labels, int k, double eps);

}  // namespace hetmod::sdpcluster
