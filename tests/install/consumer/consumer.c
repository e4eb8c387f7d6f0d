/* consumer.c -- a C program built against an installed hetmod (stable C API only). Prints the
 * version, runs a small simulation study and checks an error path. Exit status 0 on success. */
#include <stdio.h>

#include "hetmod.h"

#define REQUIRE(cond)                                                                    \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      fprintf(stderr, "consumer_c: %s failed (last error: %s)\n", #cond, hetmod_last_error()); \
      return 1;                                                                          \
    }                                                                                    \
  } while (0)

int main(void) {
  int major = -1, minor = -1, patch = -1;
  hetmod_options* opt = NULL;
  hetmod_study_result* res = NULL;
  double mean[2], cov[2];
  int64_t nrep = 0;
  int rc;

  REQUIRE(hetmod_version(&major, &minor, &patch) == HETMOD_OK);
  printf("consumer_c: hetmod %s (headers %s)\n", hetmod_version_string(), HETMOD_VERSION_STRING);
  REQUIRE(major == HETMOD_VERSION_MAJOR && minor == HETMOD_VERSION_MINOR && patch == HETMOD_VERSION_PATCH);

  REQUIRE(hetmod_options_create(&opt) == HETMOD_OK);
  REQUIRE(hetmod_options_set_double(opt, "n", 20) == HETMOD_OK);
  REQUIRE(hetmod_sim_run("normal_mean", opt, 42u, 0, 49, 2, &res) == HETMOD_OK);
  REQUIRE(hetmod_study_nrep(res, &nrep) == HETMOD_OK && nrep == 50);
  REQUIRE(hetmod_study_summary(res, "mean", mean, 2) == HETMOD_OK);
  REQUIRE(hetmod_study_summary(res, "coverage", cov, 2) == HETMOD_OK);
  REQUIRE(cov[0] >= 0.0 && cov[0] <= 1.0);
  printf("consumer_c: normal_mean, 50 replicates: mean(mu) = %.4f, coverage(mu) = %.2f\n", mean[0], cov[0]);

  rc = hetmod_sim_run("no_such_study", NULL, 1u, 0, 0, 1, &res);
  REQUIRE(rc == HETMOD_ERR_NOT_FOUND);
  printf("consumer_c: expected error: %s: %s\n", hetmod_status_string(rc), hetmod_last_error());

  hetmod_study_result_free(res);
  hetmod_options_free(opt);
  printf("consumer_c: ok\n");
  return 0;
}
