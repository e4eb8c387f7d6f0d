# Runs the package's testthat suite against the installed package and writes "passed failed"
# (expectation counts) to the file given as the second argument.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]; out <- args[[2]]
suppressPackageStartupMessages(library(testthat))
res <- as.data.frame(testthat::test_dir(dir, package = "hetmod", load_package = "installed",
                                        reporter = testthat::ProgressReporter$new(show_praise = FALSE),
                                        stop_on_failure = FALSE))
n_fail <- sum(res$failed) + sum(res$error)
n_pass <- sum(res$nb) - sum(res$failed) - sum(res$skipped)
cat(sprintf("testthat: %d expectations passed, %d failed or errored, %d skipped\n", n_pass, n_fail, sum(res$skipped)))
writeLines(sprintf("%d %d", n_pass, n_fail), out)
