test_that("hetmod_version() reports the C++ core's version", {
  v <- hetmod_version()
  expect_s3_class(v, "package_version")
  expect_identical(as.character(v), "0.1.0")
  expect_true(v >= "0.1.0")
})
