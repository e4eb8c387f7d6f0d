/*
 * examples/c/demo_sim.c -- run a simulation study through the stable C API and print a summary.
 *
 * Runs the built-in "normal_mean" study (n draws from N(mu, sigma^2); estimates mu and log sigma)
 * for replicates 0..R-1 and prints bias, empirical SE, mean model SE, coverage and their Monte
 * Carlo standard errors. A job array would call hetmod_sim_run with its own first..last range:
 * replicate r always uses the random stream (seed, r), so the rows do not depend on the split.
 *
 *   usage: demo_sim [replicates (default 500)] [threads (default 0 = all)]
 */
#include <stdio.h>
#include <stdlib.h>

#include "hetmod.h"

/* Prints the failing call and the library's message; returns 1 so main can `return fail(...)`. */
static int fail(const char* what, int rc) {
  fprintf(stderr, "demo_sim: %s failed: %s (%s)\n", what, hetmod_status_string(rc), hetmod_last_error());
  return 1;
}

#define TRY(call)                        \
  do {                                   \
    int rc_ = (call);                    \
    if (rc_ != HETMOD_OK) {              \
      status = fail(#call, rc_);         \
      goto done;                         \
    }                                    \
  } while (0)

int main(int argc, char** argv) {
  int64_t reps = argc > 1 ? atol(argv[1]) : 500;
  int threads = argc > 2 ? atoi(argv[2]) : 0;
  hetmod_options* opt = NULL;
  hetmod_study_result* res = NULL;
  double truth[2], mean[2], bias[2], bias_mcse[2], empse[2], mean_se[2], cov[2], cov_mcse[2];
  double rate = 0, rate_mcse = 0;
  int64_t k = 0, j;
  int status = 0;

  if (reps < 1) reps = 1;
  printf("hetmod %s: normal_mean study, n = 30, mu = 1, sigma = 2, %ld replicates\n\n",
         hetmod_version_string(), (long)reps);

  TRY(hetmod_options_create(&opt));
  TRY(hetmod_options_set_double(opt, "n", 30));
  TRY(hetmod_options_set_double(opt, "mu", 1.0));
  TRY(hetmod_options_set_double(opt, "sigma", 2.0));
  TRY(hetmod_sim_run("normal_mean", opt, 20260101u, 0, reps - 1, threads, &res));

  TRY(hetmod_study_nparam(res, &k));
  if (k != 2) {
    fprintf(stderr, "demo_sim: expected 2 parameters, got %ld\n", (long)k);
    status = 1;
    goto done;
  }
  TRY(hetmod_study_summary(res, "truth", truth, 2));
  TRY(hetmod_study_summary(res, "mean", mean, 2));
  TRY(hetmod_study_summary(res, "bias", bias, 2));
  TRY(hetmod_study_summary(res, "bias_mcse", bias_mcse, 2));
  TRY(hetmod_study_summary(res, "empse", empse, 2));
  TRY(hetmod_study_summary(res, "mean_se", mean_se, 2));
  TRY(hetmod_study_summary(res, "coverage", cov, 2));
  TRY(hetmod_study_summary(res, "coverage_mcse", cov_mcse, 2));
  TRY(hetmod_study_convergence_rate(res, &rate, &rate_mcse));

  printf("%-10s %8s %8s %18s %8s %8s %18s\n", "parameter", "truth", "mean", "bias (MCSE)", "empSE", "modelSE",
         "coverage (MCSE)");
  for (j = 0; j < k; ++j) {
    char name[64];
    TRY(hetmod_study_param_name(res, j, name, (int64_t)sizeof name, NULL));
    printf("%-10s %8.4f %8.4f %9.4f (%6.4f) %8.4f %8.4f %9.3f (%6.3f)\n", name, truth[j], mean[j], bias[j],
           bias_mcse[j], empse[j], mean_se[j], cov[j], cov_mcse[j]);
  }
  printf("\nconvergence rate %.3f (MCSE %.3f)\n", rate, rate_mcse);

done:
  hetmod_study_result_free(res);
  hetmod_options_free(opt);
  return status;
}
