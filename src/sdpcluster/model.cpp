// src/sdpcluster/model.cpp -- names of methods and covariance families.
#include "hetmod/sdpcluster/model.hpp"

#include "hetmod/core/check.hpp"

namespace hetmod::sdpcluster {

const char* method_name(Method m) {
  switch (m) {
    case Method::kmeans: return "kmeans";
    case Method::em_gmm: return "em_gmm";
    case Method::sdp_kmeans: return "sdp_kmeans";
    case Method::la_sdp: return "la_sdp";
    case Method::ila_sdp: return "ila_sdp";
    case Method::bm_kmeans: return "bm_kmeans";
  }
  return "unknown";
}

Method method_from_name(const std::string& name) {
  for (int i = 0; i <= 5; ++i)
    if (name == method_name(static_cast<Method>(i))) return static_cast<Method>(i);
  check::fail("method_from_name", "unknown method '" + name +
                                      "' (known: kmeans, em_gmm, sdp_kmeans, la_sdp, ila_sdp, bm_kmeans)");
}

const char* cov_type_name(CovType c) {
  switch (c) {
    case CovType::spherical: return "spherical";
    case CovType::diagonal: return "diagonal";
    case CovType::tied: return "tied";
    case CovType::full: return "full";
  }
  return "unknown";
}

CovType cov_type_from_name(const std::string& name) {
  for (int i = 0; i <= 3; ++i)
    if (name == cov_type_name(static_cast<CovType>(i))) return static_cast<CovType>(i);
  check::fail("cov_type_from_name", "unknown covariance type '" + name + "' (known: spherical, diagonal, tied, full)");
}

}  // namespace hetmod::sdpcluster
