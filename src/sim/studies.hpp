// src/sim/studies.hpp -- internal: per-family registration of built-in simulation studies.
// Each family's studies live in src/sim/studies_<family>.cpp (sim is the layer above the families, so the
// families never include sim/); register_builtin_studies() in builtin.cpp calls these once.
#pragma once

namespace hetmod::sim {
void register_survival_studies();  ///< "surv_apgw"
void register_sem_studies();       ///< "sem_cfa"
void register_sdp_studies();       ///< "sdp_kmeans"
}  // namespace hetmod::sim
