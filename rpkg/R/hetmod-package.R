# hetmod-package.R -- package load hooks and small internal helpers shared by the R files.
#
# The NAMESPACE imports from nloptr, so nloptr's DLL (and the NLopt C callables it registers) is loaded
# before hetmod's. At DLL load (R_init_hetmod -> hetmod_r_register_hooks) the C++ core gets its
# interrupt checker and log sink; .onLoad() additionally resolves the NLopt entry points on the main
# thread (see src/init.cpp).

.onLoad <- function(libname, pkgname) {
  hetmod_init_cpp()
  invisible()
}

.onUnload <- function(libpath) {
  library.dynam.unload("hetmod", libpath)
}

hetmod_version <- function() {
  package_version(hetmod_version_cpp())
}

# --- argument checks: messages start with a capital letter and end with a period -------------------

is_whole <- function(x) is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) && x == round(x)

check_whole <- function(x, name, min = -Inf, max = Inf) {
  if (!is_whole(x) || x < min || x > max) {
    rng <- if (is.finite(max)) sprintf("between %s and %s", format(min), format(max))
           else sprintf(">= %s", format(min))
    stop(sprintf("`%s` must be a single whole number %s.", name, rng), call. = FALSE)
  }
  invisible(x)
}

check_flag <- function(x, name) {
  if (!is.logical(x) || length(x) != 1L || is.na(x))
    stop(sprintf("`%s` must be TRUE or FALSE.", name), call. = FALSE)
  invisible(x)
}

check_string <- function(x, name) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(x))
    stop(sprintf("`%s` must be a single non-empty string.", name), call. = FALSE)
  invisible(x)
}

check_level <- function(x, name = "level") {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x <= 0 || x >= 1)
    stop(sprintf("`%s` must be a single number strictly between 0 and 1.", name), call. = FALSE)
  invisible(x)
}
