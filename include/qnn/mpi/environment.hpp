#pragma once
// MPI start-up for the command line and the MPI tests. qnn initialises MPI only when the process was launched by
// mpirun (OpenMPI sets OMPI_COMM_WORLD_SIZE, PMIx launchers PMIX_RANK): a plain `qnn train` never touches MPI, so its
// output and start-up time are exactly those of a build without MPI.
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/core/complex.hpp"

namespace qnn::mpi {

/// Whether this process was started by an MPI launcher.
bool launched_by_mpirun();

/// Initialises MPI (funneled threads: only the main thread calls MPI) for its lifetime if launched_by_mpirun() or
/// `force`; finalises it on destruction.
class Environment {
 public:
  explicit Environment(bool force = false);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
};

/// Whether MPI is initialised (and not yet finalised).
bool active();
/// Rank and size in MPI_COMM_WORLD; 0 and 1 when MPI is not active.
int rank();
int size();

/// Σ over ranks of each rank's `local`, added in rank order on every rank: the result is the same bits on every rank
/// and does not depend on MPI's reduction tree (MPI_Allgather, then a sequential sum).
double ordered_sum(double local);
cplx ordered_sum(cplx local);

/// Every rank's block of doubles, concatenated in rank order, on every rank (blocks may differ in length).
std::vector<double> all_gather(std::span<const double> local);

}  // namespace qnn::mpi
