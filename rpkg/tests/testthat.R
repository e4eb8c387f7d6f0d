library(testthat)
library(hetmod)

test_check("hetmod")
