#include "qnn/mpi/data_parallel.hpp"

#include "qnn/mpi/environment.hpp"

namespace qnn::mpi {

DataParallel data_parallel() {
  DataParallel dp;
  dp.rank = static_cast<unsigned>(rank());
  dp.size = static_cast<unsigned>(size());
  if (dp.size > 1) dp.all_gather = [](std::span<const double> local) { return all_gather(local); };
  return dp;
}

}  // namespace qnn::mpi
