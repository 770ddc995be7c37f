#pragma once
// qnn under mpirun (docs/mpi.md): every rank runs the same command line; rank 0 prints and writes files, the others
// compute their share and stay silent. Without MPI (or without mpirun) this process is the only rank.
#ifdef QNN_WITH_MPI
#include "qnn/mpi/environment.hpp"
#endif

namespace qnn::cli {

inline bool is_root_rank() {
#ifdef QNN_WITH_MPI
  return qnn::mpi::rank() == 0;
#else
  return true;
#endif
}

inline int num_ranks() {
#ifdef QNN_WITH_MPI
  return qnn::mpi::size();
#else
  return 1;
#endif
}

}  // namespace qnn::cli
