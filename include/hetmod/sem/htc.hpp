// hetmod/sem/htc.hpp -- internal: half-trek criterion of a mixed graph (src/sem/htc.cpp).
#pragma once
#include <vector>

#include "hetmod/sem/model.hpp"

namespace hetmod::sem::detail {

/// HTC-identifiable nodes in solving order (Foygel, Draisma & Drton 2012, Theorem 1 with the
/// iterative use of solved nodes). All nodes solved <=> the graph is HTC-identifiable.
std::vector<int> htc_solved_nodes(const Graph& g);
/// FDD 2012 Theorem 2 (one max-flow): true when the graph is generically infinite-to-one.
bool htc_nonidentifiable(const Graph& g);

}  // namespace hetmod::sem::detail
