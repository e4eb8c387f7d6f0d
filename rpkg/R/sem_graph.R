# sem_graph.R -- mixed graphs of SEMs: symbolic covariances (sem_expand), generic identifiability
# (sem_identify) and the path diagram (plot.sem_fit). The algebra is in the core (src/sem/expand.cpp,
# src/sem/identify.cpp); this file builds the graph from a model and formats the results.

# A graph from a sem_fit, a model string, or list(n, directed, bidirected, names) with 1-based edges.
.sem_graph <- function(model, ...) {
  if (inherits(model, "sem_fit")) {
    g <- sem_graph_cpp(model$syntax, model$model_options)
    g$p <- length(model$observed)
    return(g)
  }
  if (is.character(model)) {
    syntax <- .sem_check_model(model)
    dots <- list(...)
    bad <- setdiff(names(dots), names(.sem_model_args))
    if (length(bad)) stop(sprintf("Unknown argument(s) in `...`: %s.", paste(bad, collapse = ", ")), call. = FALSE)
    mopt <- .sem_model_options(dots)
    info <- sem_model_cpp(syntax, mopt)
    g <- info$graph
    g$p <- length(info$observed)
    return(g)
  }
  if (is.list(model) && !is.null(model$n)) {
    n <- check_whole(model$n, "model$n", 1)
    edges <- function(e, what) {
      if (is.null(e) || length(e) == 0L) return(matrix(integer(), 0L, 2L))
      if (is.numeric(e) && is.null(dim(e)) && length(e) == 2L) e <- matrix(e, 1L)
      if (!is.matrix(e) || ncol(e) != 2L || !is.numeric(e) || anyNA(e) || any(e != round(e)))
        stop(sprintf("`model$%s` must be a two-column matrix of 1-based node indices.", what), call. = FALSE)
      storage.mode(e) <- "integer"
      e
    }
    nm <- if (is.null(model$names)) as.character(seq_len(n)) else as.character(model$names)
    if (length(nm) != n) stop("`model$names` must have one name per node.", call. = FALSE)
    return(list(n = as.integer(n), names = nm, directed = edges(model$directed, "directed"),
                bidirected = edges(model$bidirected, "bidirected"), p = as.integer(n)))
  }
  stop(paste0("`model` must be lavaan model syntax, a fit from sem_fit(), or a graph ",
              "list(n = , directed = , bidirected = , names = )."), call. = FALSE)
}

# Description of each expansion variable: directed edges, then every omega_kk, then bidirected edges.
.sem_graph_parameters <- function(g) {
  nm <- g$names
  c(if (nrow(g$directed)) paste(nm[g$directed[, 1L]], "->", nm[g$directed[, 2L]]),
    paste(nm, "<->", nm),
    if (nrow(g$bidirected)) paste(nm[g$bidirected[, 1L]], "<->", nm[g$bidirected[, 2L]]))
}

.sem_node_index <- function(v, g, what) {
  if (is.character(v)) {
    k <- match(v, g$names)
    if (anyNA(k)) stop(sprintf("Unknown variable(s) in `%s`: %s.", what, paste(v[is.na(k)], collapse = ", ")),
                       call. = FALSE)
    return(k)
  }
  if (!is.numeric(v) || anyNA(v) || any(v != round(v)) || any(v < 1 | v > g$n))
    stop(sprintf("`%s` must be variable names or indices between 1 and %d.", what, g$n), call. = FALSE)
  as.integer(v)
}

sem_expand <- function(model, i = NULL, j = NULL, format = c("text", "latex"), ...) {
  format <- match.arg(format)
  g <- .sem_graph(model, ...)
  if (is.null(i) != is.null(j)) stop("Give both `i` and `j`, or neither.", call. = FALSE)
  full <- is.null(i)
  if (full) {
    pairs <- which(upper.tri(diag(g$p), diag = TRUE), arr.ind = TRUE)
    ii <- pairs[, 1L]
    jj <- pairs[, 2L]
  } else {
    ii <- .sem_node_index(i, g, "i")
    jj <- .sem_node_index(j, g, "j")
    if (length(ii) != length(jj)) {
      L <- max(length(ii), length(jj))
      ii <- rep_len(ii, L)
      jj <- rep_len(jj, L)
    }
  }
  e <- sem_expand_cpp(g$n, g$directed, g$bidirected, g$names, as.integer(ii), as.integer(jj))
  val <- if (format == "text") e$text else e$latex
  numer <- if (format == "text") e$numerator else e$numerator_latex
  if (full) {
    obs <- g$names[seq_len(g$p)]
    entries <- numerators <- matrix(NA_character_, g$p, g$p, dimnames = list(obs, obs))
    entries[cbind(ii, jj)] <- entries[cbind(jj, ii)] <- val
    numerators[cbind(ii, jj)] <- numerators[cbind(jj, ii)] <- numer
  } else {
    lab <- paste0("sigma[", g$names[ii], ",", g$names[jj], "]")
    entries <- stats::setNames(val, lab)
    numerators <- stats::setNames(numer, lab)
  }
  vars <- data.frame(symbol = e$variables, latex = e$variables_latex, parameter = .sem_graph_parameters(g),
                     stringsAsFactors = FALSE)
  structure(list(entries = entries, numerators = numerators,
                 det = if (format == "text") e$det else e$det_latex, variables = vars, format = format,
                 graph = g[c("n", "names", "directed", "bidirected", "p")]),
            class = "sem_expansion")
}

print.sem_expansion <- function(x, ...) {
  cat(sprintf("Symbolic model-implied covariances (%s; sigma_ij = numerator / det(I - Lambda)^2)\n", x$format))
  cat(sprintf("det(I - Lambda) = %s\n\n", x$det))
  e <- x$entries
  if (is.matrix(e)) {
    for (a in seq_len(nrow(e))) for (b in a:ncol(e))
      cat(sprintf("sigma[%s,%s] = %s\n", rownames(e)[a], colnames(e)[b], e[a, b]))
  } else {
    for (k in seq_along(e)) cat(sprintf("%s = %s\n", names(e)[k], e[[k]]))
  }
  cat("\nVariables:\n")
  v <- x$variables
  cat(sprintf("  %-10s %s\n", v$symbol, v$parameter), sep = "")
  invisible(x)
}

sem_identify <- function(model, seed = 12345, trials = 2, ...) {
  check_whole(seed, "seed", 0, 2^53)
  check_whole(trials, "trials", 1)
  g <- .sem_graph(model, ...)
  if (is.character(model) || inherits(model, "sem_fit")) {
    # the model as specified: latent variables, fixed values, labels and means included
    if (inherits(model, "sem_fit")) {
      syntax <- model$syntax
      mopt <- model$model_options
    } else {
      syntax <- .sem_check_model(model)
      mopt <- .sem_model_options(list(...))
    }
    id <- sem_identify_model_cpp(syntax, mopt, seed, as.integer(trials))
    id$what <- "model"
    id$unidentified <- id$par_names[id$unidentified]
  } else {
    id <- sem_identify_cpp(g$n, g$directed, g$bidirected, g$names, seed, as.integer(trials))
    id$what <- "graph"
    pars <- .sem_graph_parameters(g)
    id$unidentified <- pars[id$unidentified]
  }
  id$htc_solved <- g$names[id$htc_solved]
  id$graph <- g[c("n", "names", "directed", "bidirected", "p")]
  structure(id, class = "sem_identification")
}

print.sem_identification <- function(x, ...) {
  g <- x$graph
  if (identical(x$what, "model")) {
    cat(sprintf("Generic identifiability of a model with %d observed and %d latent variables
",
                g$p, g$n - g$p))
  } else {
    cat(sprintf("Generic identifiability of a mixed graph with %d nodes, %d directed and %d bidirected edges
",
                g$n, nrow(g$directed), nrow(g$bidirected)))
  }
  cat(sprintf("  free parameters %d, moments %d, generic Jacobian rank %d\n", x$n_params, x$n_moments, x$jacobian_rank))
  if (isTRUE(x$finite_to_one)) {
    cat("  Jacobian rank test: generically finite-to-one, the parameters are locally identifiable\n")
    cat("  (possibly several solutions).\n")
  } else {
    cat(sprintf("  Jacobian rank test: NOT identifiable, the Jacobian is rank deficient (%d < %d); the fibres are infinite.\n",
                x$jacobian_rank, x$n_params))
    if (length(x$unidentified))
      cat(sprintf("  not identified: %s\n", paste(x$unidentified, collapse = ", ")))
  }
  if (isTRUE(x$htc_applicable)) {
    htc <- if (isTRUE(x$htc_identifiable)) "identifiable (generically one-to-one)"
           else if (isTRUE(x$htc_nonidentifiable)) "NOT identifiable (generically infinite-to-one)"
           else sprintf("inconclusive (%d of %d nodes solved)", length(x$htc_solved), g$n)
    cat(sprintf("  half-trek criterion: %s\n", htc))
  } else {
    cat("  half-trek criterion: not applicable (latent variables)\n")
  }
  cat(sprintf("  simple: %s, bow-free: %s, acyclic: %s\n", x$simple, x$bow_free, x$acyclic))
  invisible(x)
}

# ---- path diagram ----------------------------------------------------------------------------------

.sem_layout <- function(nodes, from, to, layout) {
  n <- length(nodes)
  if (layout == "circle" || n == 1L) {
    a <- pi / 2 - 2 * pi * (seq_len(n) - 1) / n
    return(cbind(x = cos(a), y = sin(a)))
  }
  # layers: depth = longest directed path from a source (relaxed at most n times, so cycles stop)
  depth <- rep(0, n)
  for (it in seq_len(n)) {
    new <- depth
    for (k in seq_along(from)) new[to[k]] <- max(new[to[k]], depth[from[k]] + 1)
    new <- pmin(new, n)
    if (identical(new, depth)) break
    depth <- new
  }
  lev <- sort(unique(depth))
  y <- -match(depth, lev) + 1
  x <- numeric(n)
  for (l in unique(y)) {
    k <- which(y == l)
    x[k] <- if (length(k) == 1L) 0 else seq(-1, 1, length.out = length(k))
  }
  cbind(x = x, y = if (length(lev) > 1L) y / (length(lev) - 1) * 2 + 1 else y)
}

plot.sem_fit <- function(x, layout = c("layers", "circle"), digits = 2L, labels = TRUE, ...) {
  layout <- match.arg(layout)
  pt <- x$partable
  nodes <- c(x$observed, x$latent)
  lat <- nodes %in% x$latent
  dir <- pt[pt$op %in% c("=~", "~"), , drop = FALSE]
  from <- match(ifelse(dir$op == "=~", dir$lhs, dir$rhs), nodes)
  to <- match(ifelse(dir$op == "=~", dir$rhs, dir$lhs), nodes)
  cv <- pt[pt$op == "~~" & pt$lhs != pt$rhs, , drop = FALSE]
  xy <- .sem_layout(nodes, from, to, layout)
  rng <- function(v) range(v) + c(-0.4, 0.4)
  op <- graphics::par(mar = c(0.5, 0.5, 2, 0.5))
  on.exit(graphics::par(op))
  graphics::plot.new()
  graphics::plot.window(xlim = rng(xy[, 1L]), ylim = rng(xy[, 2L]), asp = 1)
  graphics::title(main = sprintf("Path diagram (%s)", x$estimator), ...)
  r <- 0.09
  lab <- function(v) formatC(v, format = "f", digits = digits)
  shorten <- function(p0, p1) {
    d <- p1 - p0
    len <- sqrt(sum(d^2))
    if (len < 1e-9) return(rbind(p0, p1))
    u <- d / len
    rbind(p0 + r * u * 1.1, p1 - r * u * 1.1)
  }
  # quadratic Bezier from s[1, ] to s[2, ], bent by `bend` (relative to the length) away from the centre
  bezier <- function(s, bend, degenerate = 1) {
    mid <- colMeans(s)
    d <- s[2, ] - s[1, ]
    nrm <- c(-d[2], d[1])
    side <- sum(nrm * (mid - colMeans(xy)))
    if (abs(side) < 1e-9) side <- degenerate * (if (nrm[1] >= 0) 1 else -1)
    if (side < 0) nrm <- -nrm
    ctrl <- mid + bend * nrm
    tt <- seq(0, 1, length.out = 30)
    cbind((1 - tt)^2 * s[1, 1] + 2 * (1 - tt) * tt * ctrl[1] + tt^2 * s[2, 1],
          (1 - tt)^2 * s[1, 2] + 2 * (1 - tt) * tt * ctrl[2] + tt^2 * s[2, 2])
  }
  # does the straight segment a-b pass close to another node?
  blocked <- function(a, b) {
    p0 <- xy[a, ]
    d <- xy[b, ] - p0
    L2 <- sum(d^2)
    if (L2 < 1e-12) return(FALSE)
    for (v in setdiff(seq_along(nodes), c(a, b))) {
      t <- sum((xy[v, ] - p0) * d) / L2
      if (t > 0 && t < 1 && sqrt(sum((p0 + t * d - xy[v, ])^2)) < 1.5 * r) return(TRUE)
    }
    FALSE
  }
  # directed edges: straight arrows, curved when the straight line would cross another node
  for (k in seq_along(from)) {
    s <- shorten(xy[from[k], ], xy[to[k], ])
    if (blocked(from[k], to[k])) {
      b <- bezier(s, 0.3)
      graphics::lines(b[, 1], b[, 2], col = "grey20")
      graphics::arrows(b[29, 1], b[29, 2], b[30, 1], b[30, 2], length = 0.08, col = "grey20")
      at <- b[15, ]
    } else {
      graphics::arrows(s[1, 1], s[1, 2], s[2, 1], s[2, 2], length = 0.08, col = "grey20")
      at <- colMeans(s)
    }
    if (labels) graphics::text(at[1], at[2], lab(dir$est[k]), cex = 0.7, col = "blue", pos = 4)
  }
  # covariances: curved double arrows
  for (k in seq_len(nrow(cv))) {
    a <- match(cv$lhs[k], nodes)
    b <- match(cv$rhs[k], nodes)
    if (is.na(a) || is.na(b)) next
    bz <- bezier(shorten(xy[a, ], xy[b, ]), 0.35, degenerate = -1)
    graphics::lines(bz[, 1], bz[, 2], col = "grey40", lty = if (cv$exo[k]) 3 else 1)
    graphics::arrows(bz[2, 1], bz[2, 2], bz[1, 1], bz[1, 2], length = 0.06, col = "grey40")
    graphics::arrows(bz[29, 1], bz[29, 2], bz[30, 1], bz[30, 2], length = 0.06, col = "grey40")
    if (labels) graphics::text(bz[15, 1], bz[15, 2], lab(cv$est[k]), cex = 0.7, col = "darkred")
  }
  # nodes: latent as circles, observed as boxes
  th <- seq(0, 2 * pi, length.out = 60)
  for (v in seq_along(nodes)) {
    if (lat[v]) {
      graphics::polygon(xy[v, 1] + r * cos(th), xy[v, 2] + r * sin(th), col = "lightyellow", border = "black")
    } else {
      graphics::rect(xy[v, 1] - r, xy[v, 2] - r * 0.8, xy[v, 1] + r, xy[v, 2] + r * 0.8, col = "lightblue",
                     border = "black")
    }
    graphics::text(xy[v, 1], xy[v, 2], nodes[v], cex = 0.75)
  }
  invisible(data.frame(node = nodes, latent = lat, x = xy[, 1L], y = xy[, 2L]))
}
