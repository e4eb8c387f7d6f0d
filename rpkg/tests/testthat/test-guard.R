# The guard of every C++ entry point (src/glue.h): errors, warnings and interrupts cross into R
# cleanly. hetmod_guard_test_cpp(message, threads, status) logs `message` as a core warning (from
# `threads` worker threads, 0 = the calling thread) and then throws hetmod::Error(status).

test_that("core errors become R errors carrying the core's message", {
  expect_error(hetmod:::hetmod_guard_test_cpp("boom", 0L, -1L), "guard_test: boom", fixed = TRUE) |>
    suppressWarnings()
  expect_error(hetmod:::hetmod_guard_test_cpp("numerical trouble", 0L, -3L), "numerical trouble") |>
    suppressWarnings()
  # the session is intact afterwards
  expect_true(suppressWarnings(hetmod:::hetmod_guard_test_cpp("fine", 0L, 0L)))
})

test_that("core warnings are forwarded to R, also from worker threads", {
  expect_warning(hetmod:::hetmod_guard_test_cpp("careful", 0L, 0L), "^careful$")
  msgs <- character()
  res <- withCallingHandlers(hetmod:::hetmod_guard_test_cpp("worker", 3L, 0L),
                             warning = function(w) {
                               msgs <<- c(msgs, conditionMessage(w))
                               invokeRestart("muffleWarning")
                             })
  expect_true(res)
  expect_setequal(msgs, sprintf("worker (thread %d)", 0:2))
  # warnings logged before an error are not lost
  expect_warning(expect_error(hetmod:::hetmod_guard_test_cpp("late", 0L, -2L), "late"), "late")
})

test_that("an interrupted computation signals an R interrupt, not an error", {
  got <- tryCatch(hetmod:::hetmod_guard_test_cpp("x", 0L, -4L),
                  interrupt = function(e) "interrupt", error = function(e) "error")
  expect_identical(got, "interrupt")
  expect_true(hetmod:::hetmod_guard_test_cpp("after", 0L, 0L) |> suppressWarnings())
})
