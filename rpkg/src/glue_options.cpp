// glue_options.cpp -- conversion of R option lists to hetmod::Options (declared in glue.h).
#include <cstring>

#include "glue.h"
#include "hetmod/core/check.hpp"

namespace hetmod_r {

hetmod::Options options_from_list(const Rcpp::List& options, const char* fn,
                                  std::initializer_list<const char*> vector_keys) {
  hetmod::Options out;
  if (options.size() == 0) return out;
  Rcpp::CharacterVector names = options.names();
  for (R_xlen_t i = 0; i < options.size(); ++i) {
    const std::string key = Rcpp::as<std::string>(names[i]);
    bool always_vector = false;
    for (const char* k : vector_keys) always_vector = always_vector || key == k;
    SEXP v = options[i];
    switch (TYPEOF(v)) {
      case REALSXP:
      case INTSXP:
      case LGLSXP: {
        Rcpp::NumericVector x(v);  // converts; NA becomes NaN / NA_real_
        if (!always_vector && x.size() == 1) {
          out.set(key, static_cast<double>(x[0]));
        } else {
          out.set(key, std::vector<double>(x.begin(), x.end()));
        }
        break;
      }
      case STRSXP: {
        Rcpp::CharacterVector x(v);
        hetmod::check::require(x.size() == 1 && !Rcpp::CharacterVector::is_na(x[0]), fn,
                               "option '" + key + "' must be a single string");
        out.set(key, Rcpp::as<std::string>(x[0]));
        break;
      }
      default:
        hetmod::check::fail(fn, "option '" + key + "' must be numeric, logical or a string");
    }
  }
  return out;
}

}  // namespace hetmod_r
