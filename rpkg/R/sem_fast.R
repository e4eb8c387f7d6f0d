# sem_fast.R -- small helpers that keep the R side of sem_fit() cheap (the core fit of the HS CFA takes
# well under a millisecond, so base R's general-purpose constructors would dominate).

# A data frame from a list of equal-length columns without as.data.frame()'s checks and name mangling.
.sem_list_to_df <- function(x) {
  n <- if (length(x)) length(x[[1L]]) else 0L
  structure(x, row.names = .set_row_names(n), class = "data.frame")
}
