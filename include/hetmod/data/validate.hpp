// hetmod/data/validate.hpp -- validation of views at the boundary (finiteness, shapes, codes, rank).
// All checks throw hetmod::Error with "fn: arg[i] is v, but must be ..." messages.
#pragma once
#include <cstdint>
#include <initializer_list>

#include "hetmod/data/view.hpp"

namespace hetmod::data {

/// All entries finite.
void check_finite(const char* fn, const char* arg, const VecView& v);
/// All entries finite; the message names row and column: "x[3, 1] is NaN, ...".
void check_finite(const char* fn, const char* arg, const MatView& m);
/// Matrix must have exactly nrow rows (ncol < 0: any number of columns).
void check_shape(const char* fn, const char* arg, const MatView& m, int64_t nrow, int64_t ncol = -1);
/// Integer codes must be in the allowed set.
void check_codes(const char* fn, const char* arg, const IntVecView& v, std::initializer_list<int32_t> allowed);
/// Numerical rank of the columns of m must equal ncol (full column rank); throws Error(numerical) naming
/// the first column j whose residual after projection on columns 0..j-1 has norm <= tol * ||x_j||
/// ("f: column 3 of x is (nearly) a linear combination of columns 0..2, so x does not have full column
/// rank"; an all-zero column is named as such). Non-finite entries are reported first (as check_finite);
/// nrow < ncol throws Error(numerical). Cost O(nrow * ncol^2).
void check_full_column_rank(const char* fn, const char* arg, const MatView& m, double tol = 1e-10);

}  // namespace hetmod::data
