#include "hetmod/optim/problem.hpp"

#include "hetmod/core/error.hpp"

namespace hetmod::optim {

double Problem::value_gradient_hessian(const double*, double*, double*) {
  throw Error(Status::unsupported, "Problem::value_gradient_hessian: this problem has no analytic Hessian");
}

}  // namespace hetmod::optim
