// src/sim/studies_sdp.cpp -- the SDP clustering family's simulation study for the harness.
//
// "sdp_kmeans": options n (200), p (20), k (4), ratio (1.5, separation relative to the exact-recovery
// threshold), method ("sdp_kmeans"), design ("isotropic" or a named design of sdpcluster/model.hpp).
// One data set per replicate; parameter "error" = mis-clustering rate, truth 0.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "hetmod/core/check.hpp"
#include "hetmod/sdpcluster/model.hpp"
#include "hetmod/sim/harness.hpp"
#include "studies.hpp"

namespace hetmod::sim {
using namespace hetmod::sdpcluster;

void register_sdp_studies() {
  register_study("sdp_kmeans", [](const Options& options) {
    const std::vector<std::string> known = {"design", "k", "method", "n", "p", "ratio"};
    for (const auto& key : options.keys())
      if (std::find(known.begin(), known.end(), key) == known.end())
        check::fail("make_study", "unknown option '" + key +
                                      "' for study 'sdp_kmeans' (known: design, k, method, n, p, ratio)");
    const std::string design = options.get_string("design", "isotropic");
    const int64_t n = options.get_int("n", 200);
    const int64_t p = options.get_int("p", 20);
    const int k = static_cast<int>(options.get_int("k", 4));
    const double ratio = options.get_double("ratio", 1.5);
    const Method method = method_from_name(options.get_string("method", "sdp_kmeans"));
    if (design != "isotropic") (void)design_covariances(design);  // validates the name
    check::at_least("sdp_kmeans", "n", n, 2);
    Study s;
    s.name = "sdp_kmeans";
    s.param_names = {"error"};
    s.truth = {0.0};
    s.replicate = [=](Rng& rng, int64_t) {
      const SimData d = design == "isotropic" ? simulate_isotropic(n, p, k, ratio, rng) : simulate_design(design, n, rng);
      Options fo;
      if (method == Method::la_sdp) {
        if (design == "isotropic") {
          std::vector<double> sig;
          for (int b = 0; b < k; ++b)
            for (int64_t c = 0; c < p; ++c)
              for (int64_t r = 0; r < p; ++r) sig.push_back(r == c ? 1.0 : 0.0);
          fo.set("sigma", sig);
        } else {
          fo.set("sigma", design_covariances(design));
        }
      }
      const ClusterResult r = fit(d.view(), d.k, method, fo, rng);
      ReplicateOutput out;
      out.estimate = {misclustering_rate(d.labels, r.labels)};
      out.se = {std::numeric_limits<double>::quiet_NaN()};
      out.converged = r.converged || method == Method::kmeans;
      return out;
    };
    return s;
  });
}

}  // namespace hetmod::sim
