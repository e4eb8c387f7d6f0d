// scripts/gen-fit-fixture.cpp -- writes tests/data/fit_v1.bin, the serialised-fit fixture that the C
// API test (tests/capi/test_capi.c) deserialises to exercise every hetmod_fit accessor without
// depending on any model family. The values below are mirrored in test_capi.c; change both together.
//
// Run once by hand after building the library (format version 1 must never change, so neither
// should the blob):
//   cmake --build build --target hetmod
//   g++ -std=c++17 -Iinclude scripts/gen-fit-fixture.cpp build/libhetmod.a -o /tmp/gen-fit-fixture
//   /tmp/gen-fit-fixture tests/data/fit_v1.bin
#include <cstdio>
#include <string>

#include "hetmod/core/result.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output file>\n", argv[0]);
    return 2;
  }
  hetmod::FitResult f;
  f.family = "test";
  f.model = "fixture";
  f.coef_names = {"(Intercept)", "x1", "log_scale"};
  f.coef = {0.5, -1.25, 0.125};
  f.vcov = {0.04, 0.01, -0.002,  // column-major, symmetric
            0.01, 0.09, 0.003,
            -0.002, 0.003, 0.0025};
  f.loglik = -123.456;
  f.df = 3;
  f.nobs = 100;
  f.convergence.converged = true;
  f.convergence.code = 4;
  f.convergence.optimizer = "newton-tr";
  f.convergence.reason = "gradient norm below tolerance";
  f.convergence.iterations = 17;
  f.convergence.grad_norm = 1.5e-9;
  f.convergence.objective = 123.456;
  f.extras["fitted_scale"] = {1.0, 2.0, 3.5, 4.25};
  f.notes["warning"] = "fixture note";

  const std::string blob = hetmod::serialize(f);
  std::FILE* fp = std::fopen(argv[1], "wb");
  if (!fp || std::fwrite(blob.data(), 1, blob.size(), fp) != blob.size() || std::fclose(fp) != 0) {
    std::fprintf(stderr, "gen-fit-fixture: cannot write %s\n", argv[1]);
    return 1;
  }
  std::printf("wrote %zu bytes to %s\n", blob.size(), argv[1]);
  return 0;
}
