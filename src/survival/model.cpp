// hetmod/survival/model.cpp -- names of the survival family's enums (model.hpp).
#include "hetmod/survival/model.hpp"

#include "hetmod/core/check.hpp"

namespace hetmod::survival {

namespace {
constexpr const char* kDistNames[] = {"apgw",        "weibull", "exponential", "burr",
                                      "loglogistic", "pgw",     "gompertz",    "cure_limit"};
}

const char* dist_name(Dist d) {
  const int i = static_cast<int>(d);
  return (i >= 0 && i < 8) ? kDistNames[i] : "unknown";
}

Dist dist_from_name(const std::string& name) {
  for (int i = 0; i < 8; ++i)
    if (name == kDistNames[i]) return static_cast<Dist>(i);
  std::string list;
  for (const char* nm : kDistNames) list += (list.empty() ? "" : ", ") + std::string(nm);
  check::fail("surv_dist", "dist is '" + name + "', but must be one of " + list);
}

const char* par_name(Par p) {
  switch (p) {
    case Par::phi: return "phi";
    case Par::lambda: return "lambda";
    case Par::gamma: return "gamma";
    case Par::kappa: return "kappa";
  }
  return "unknown";
}

}  // namespace hetmod::survival
