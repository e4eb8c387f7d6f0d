# sim.R -- simulation studies run by the C++ harness (hetmod::sim).
#
# A study is run in "chunks" of consecutive replicates. Each chunk is one call of the C++ harness
# (sim_run_cpp), either directly or inside a future::future() (any future backend). Chunks return
# raw rows (one per replicate); the rows of all chunks are put in replicate order and the summaries are
# recomputed from them in C++ (sim_summarize_cpp -> hetmod::sim::summarize). Replicate r always uses
# the random stream (seed, r), so the result does not depend on threads, chunks or backend.
# Replicate numbers are 1-based here; the C++ glue converts them.

sim_studies <- function() {
  sort(sim_studies_cpp())
}

sim_run <- function(study, ..., nsim = 100, seed = 1, first = 1, threads = 1, future = FALSE,
                    chunks = NULL, level = 0.95) {
  check_string(study, "study")
  options <- sim_options(list(...))
  check_whole(nsim, "nsim", min = 1, max = .Machine$integer.max)
  check_whole(first, "first", min = 1, max = .Machine$integer.max)
  if (first + nsim - 1 > .Machine$integer.max)
    stop("`first + nsim - 1` must not exceed .Machine$integer.max.", call. = FALSE)
  check_whole(seed, "seed", min = 0, max = 2^53)
  check_whole(threads, "threads", min = 0, max = 1024)
  check_flag(future, "future")
  check_level(level)
  if (isTRUE(future) && !requireNamespace("future", quietly = TRUE))
    stop("Package 'future' is needed for `future = TRUE`; install it or use `future = FALSE`.", call. = FALSE)
  if (is.null(chunks)) {
    chunks <- if (isTRUE(future)) min(nsim, 4L * max(1L, as.integer(future::nbrOfWorkers()))) else 1L
  }
  check_whole(chunks, "chunks", min = 1, max = nsim)

  # Validate the study name and options before dispatching anything (a clear error, once).
  info <- sim_study_info_cpp(study, options)
  first <- as.integer(first)
  last <- as.integer(first + nsim - 1)
  ranges <- sim_ranges(first, last, as.integer(chunks))
  progress <- sim_progressor(length(ranges))
  args <- list(study = study, options = options, seed = as.numeric(seed), threads = as.integer(threads),
               level = as.numeric(level))

  if (isTRUE(future)) {
    run_chunk <- sim_chunk
    futures <- lapply(ranges, function(r) {
      chunk_args <- c(args, list(first = r[[1L]], last = r[[2L]]))
      future::future(run_chunk(chunk_args), globals = list(run_chunk = run_chunk, chunk_args = chunk_args),
                     packages = "hetmod", seed = FALSE)
    })
    raws <- lapply(futures, function(f) {
      v <- future::value(f)
      progress()
      v
    })
  } else {
    raws <- lapply(ranges, function(r) {
      v <- sim_chunk(c(args, list(first = r[[1L]], last = r[[2L]])))
      progress()
      v
    })
  }
  meta <- list(study = info$study, options = options, seed = as.numeric(seed), level = as.numeric(level))
  sim_from_raw(raws, meta)
}

# One chunk: replicates first..last (1-based). Runs in the main process or in a future worker.
sim_chunk <- function(args) {
  sim_run_cpp(args$study, args$options, args$seed, args$first, args$last, args$threads, args$level)
}

# Splits first..last into at most `chunks` contiguous ranges of near-equal size.
sim_ranges <- function(first, last, chunks) {
  n <- last - first + 1L
  chunks <- min(chunks, n)
  sizes <- rep(n %/% chunks, chunks) + c(rep(1L, n %% chunks), rep(0L, chunks - n %% chunks))
  ends <- first - 1L + cumsum(sizes)
  starts <- c(first, head(ends, -1L) + 1L)
  lapply(seq_len(chunks), function(i) c(as.integer(starts[i]), as.integer(ends[i])))
}

sim_progressor <- function(steps) {
  if (steps > 1L && requireNamespace("progressr", quietly = TRUE)) {
    progressr::progressor(steps = steps, on_exit = FALSE)
  } else {
    function(...) invisible(NULL)
  }
}

# Checks `...` of sim_run(): named, unique; numbers (numeric, integer, logical) or single strings.
sim_options <- function(options) {
  if (length(options) == 0L) return(list())
  nms <- names(options)
  if (is.null(nms) || any(is.na(nms) | !nzchar(nms)))
    stop("All study options in `...` must be named, e.g. `n = 50`.", call. = FALSE)
  if (anyDuplicated(nms))
    stop(sprintf("Study option `%s` is given more than once.", nms[anyDuplicated(nms)]), call. = FALSE)
  for (nm in nms) {
    v <- options[[nm]]
    if (is.factor(v)) v <- as.character(v)
    ok <- (is.numeric(v) || is.logical(v)) && length(v) >= 1L && is.null(dim(v))
    ok <- ok || (is.character(v) && length(v) == 1L && !is.na(v))
    if (!ok)
      stop(sprintf("Study option `%s` must be a number, a numeric vector or a single string, not %s.",
                   nm, sim_describe(v)), call. = FALSE)
    if (is.logical(v) || is.integer(v)) v <- as.numeric(v)
    options[[nm]] <- v
  }
  options
}

sim_describe <- function(v) {
  if (is.null(v)) return("NULL")
  if (is.character(v)) return(sprintf("a character vector of length %d", length(v)))
  if (length(v) == 0L) return(sprintf("an empty %s vector", class(v)[1L]))
  sprintf("an object of class '%s'", class(v)[1L])
}

# Combines raw chunks (from sim_run_cpp or raw_from_sim) into a "hetmod_sim" object.
sim_from_raw <- function(raws, meta) {
  raws <- raws[order(vapply(raws, function(r) if (length(r$replicate)) r$replicate[1L] else NA_integer_, 1L))]
  pn <- raws[[1L]]$param_names
  truth <- raws[[1L]]$truth
  for (r in raws) {
    if (!identical(r$param_names, pn) || !identical(r$truth, truth))
      stop("The chunks do not come from the same study: parameter names or true values differ.", call. = FALSE)
  }
  replicate <- unlist(lapply(raws, `[[`, "replicate"), use.names = FALSE)
  if (anyDuplicated(replicate))
    stop(sprintf("Replicate %d occurs in more than one chunk.", replicate[anyDuplicated(replicate)]), call. = FALSE)
  estimate <- do.call(rbind, lapply(raws, `[[`, "estimate"))
  se <- do.call(rbind, lapply(raws, `[[`, "se"))
  converged <- unlist(lapply(raws, `[[`, "converged"), use.names = FALSE)
  error <- unlist(lapply(raws, `[[`, "error"), use.names = FALSE)
  s <- sim_summarize_cpp(pn, truth, replicate, estimate, se, converged, error, meta$level)

  p <- length(pn)
  n <- length(replicate)
  rows <- data.frame(
    replicate = rep(replicate, each = p),
    parameter = rep(pn, times = n),
    estimate = as.vector(t(estimate)),
    se = as.vector(t(se)),
    converged = rep(converged, each = p),
    error = rep(error, each = p),
    stringsAsFactors = FALSE
  )
  summary <- as.data.frame(s$summary, stringsAsFactors = FALSE)
  summary$n_used <- as.integer(summary$n_used)
  structure(list(
    study = meta$study,
    options = meta$options,
    seed = meta$seed,
    level = meta$level,
    first = if (n) min(replicate) else NA_integer_,
    nsim = n,
    rows = rows,
    summary = summary,
    n_replicates = as.integer(s$n_replicates),
    n_converged = as.integer(s$n_converged),
    n_failed = as.integer(s$n_failed),
    conv_rate = s$conv_rate,
    conv_rate_mcse = s$conv_rate_mcse
  ), class = "hetmod_sim")
}

# The raw (one row per replicate) form of a "hetmod_sim" object.
raw_from_sim <- function(x) {
  rows <- x$rows
  pn <- x$summary$parameter
  p <- length(pn)
  if (p == 0L || nrow(rows) %% p != 0L)
    stop("The `rows` of a simulation result are incomplete.", call. = FALSE)
  first_of <- seq.int(1L, nrow(rows), by = p)
  estimate <- matrix(rows$estimate, ncol = p, byrow = TRUE, dimnames = list(NULL, pn))
  se <- matrix(rows$se, ncol = p, byrow = TRUE, dimnames = list(NULL, pn))
  list(study = x$study, param_names = pn, truth = x$summary$truth, replicate = rows$replicate[first_of],
       estimate = estimate, se = se, converged = rows$converged[first_of], error = rows$error[first_of])
}

sim_combine <- function(...) {
  parts <- list(...)
  if (length(parts) == 1L && is.list(parts[[1L]]) && !inherits(parts[[1L]], "hetmod_sim")) parts <- parts[[1L]]
  if (length(parts) == 0L || !all(vapply(parts, inherits, TRUE, what = "hetmod_sim")))
    stop("`...` must be one or more simulation results from sim_run().", call. = FALSE)
  ref <- parts[[1L]]
  for (x in parts[-1L]) {
    if (!identical(x$study, ref$study) || !identical(x$options, ref$options) || !identical(x$seed, ref$seed) ||
        !identical(x$level, ref$level))
      stop("Simulation results can only be combined when study, options, seed and level agree.", call. = FALSE)
  }
  sim_from_raw(lapply(parts, raw_from_sim), ref[c("study", "options", "seed", "level")])
}

# --- methods ---------------------------------------------------------------------------------------

sim_options_text <- function(options) {
  if (length(options) == 0L) return("(defaults)")
  paste(vapply(names(options), function(nm) {
    v <- options[[nm]]
    val <- if (is.character(v)) dQuote(v, FALSE) else paste(format(v), collapse = ", ")
    if (length(v) > 1L) val <- paste0("c(", val, ")")
    paste(nm, "=", val)
  }, ""), collapse = ", ")
}

sim_header <- function(x) {
  last <- x$first + x$nsim - 1L
  cat(sprintf("Simulation study '%s': %d replicates (%d..%d), seed %s\n", x$study, x$nsim, x$first, last,
              format(x$seed)))
  cat(sprintf("Options: %s\n", sim_options_text(x$options)))
  cat(sprintf("Converged: %d of %d (%.1f%%, MCSE %.1f%%), failed: %d\n", x$n_converged, x$n_replicates,
              100 * x$conv_rate, 100 * x$conv_rate_mcse, x$n_failed))
  if (x$n_failed > 0L) {
    err <- unique(x$rows$error[!is.na(x$rows$error)])
    cat(sprintf("First error: %s\n", err[1L]))
  }
}

print.hetmod_sim <- function(x, digits = 3, ...) {
  sim_header(x)
  s <- x$summary
  num <- function(v, d) vapply(v, function(z) format(signif(z, d), scientific = abs(z) < 1e-4 & z != 0), "")
  pm <- function(est, mcse) paste0(num(est, digits), " (", num(mcse, 2L), ")")
  tab <- data.frame(
    parameter = s$parameter,
    truth = num(s$truth, digits),
    bias = pm(s$bias, s$bias_mcse),
    empse = pm(s$empse, s$empse_mcse),
    mean_se = pm(s$mean_se, s$mean_se_mcse),
    coverage = pm(s$coverage, s$coverage_mcse),
    stringsAsFactors = FALSE
  )
  names(tab)[6L] <- sprintf("coverage(%g%%)", 100 * x$level)
  cat("\nPerformance (Monte Carlo SE in parentheses):\n")
  print(tab, row.names = FALSE, right = TRUE)
  invisible(x)
}

summary.hetmod_sim <- function(object, ...) {
  structure(list(header = object[c("study", "options", "seed", "level", "first", "nsim", "n_replicates",
                                   "n_converged", "n_failed", "conv_rate", "conv_rate_mcse", "rows")],
                 summary = object$summary),
            class = "summary.hetmod_sim")
}

print.summary.hetmod_sim <- function(x, digits = 4, ...) {
  sim_header(x$header)
  cat(sprintf("Coverage and power at level %g; summaries use %s replicates per parameter.\n\n",
              x$header$level, paste(unique(x$summary$n_used), collapse = "/")))
  s <- x$summary
  rownames(s) <- s$parameter
  s$parameter <- NULL
  print(t(as.matrix(s)), digits = digits)
  invisible(x)
}

as.data.frame.hetmod_sim <- function(x, row.names = NULL, optional = FALSE, what = c("summary", "rows"), ...) {
  what <- match.arg(what)
  out <- x[[what]]
  if (!is.null(row.names)) rownames(out) <- row.names
  out
}
