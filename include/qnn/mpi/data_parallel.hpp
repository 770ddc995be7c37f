#pragma once
// Data-parallel training over the ranks of MPI_COMM_WORLD: the trainer's DataParallel hook with MPI_Allgatherv as its
// gather (qnn/ml/trainer.hpp says why the weights come out bit-identical to one process's).
#include "qnn/ml/trainer.hpp"

namespace qnn::mpi {

/// This process's rank and the world size, gathering with MPI; one process (no gather) when MPI is not active.
DataParallel data_parallel();

}  // namespace qnn::mpi
