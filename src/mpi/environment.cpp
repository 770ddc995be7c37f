#include "qnn/mpi/environment.hpp"

#include <mpi.h>

#include <cstdlib>

namespace qnn::mpi {

bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

Environment::Environment(bool force) {
  if (!(force || launched_by_mpirun()) || active()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
}

Environment::~Environment() {
  if (active()) MPI_Finalize();
}

bool active() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init != 0 && fin == 0;
}

int rank() {
  if (!active()) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  if (!active()) return 1;
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

double ordered_sum(double local) {
  if (!active()) return local;
  std::vector<double> all(static_cast<std::size_t>(size()));
  MPI_Allgather(&local, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD);
  double s = 0;
  for (double v : all) s += v;
  return s;
}

cplx ordered_sum(cplx local) {
  if (!active()) return local;
  const double mine[2] = {local.real(), local.imag()};
  std::vector<double> all(2 * static_cast<std::size_t>(size()));
  MPI_Allgather(mine, 2, MPI_DOUBLE, all.data(), 2, MPI_DOUBLE, MPI_COMM_WORLD);
  double re = 0, im = 0;
  for (std::size_t r = 0; r < all.size(); r += 2) {
    re += all[r];
    im += all[r + 1];
  }
  return {re, im};
}

std::vector<double> all_gather(std::span<const double> local) {
  if (!active()) return {local.begin(), local.end()};
  const int s = size();
  const int count = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<std::size_t>(s)), displs(static_cast<std::size_t>(s));
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (int r = 0; r < s; ++r) {
    displs[static_cast<std::size_t>(r)] = total;
    total += counts[static_cast<std::size_t>(r)];
  }
  std::vector<double> out(static_cast<std::size_t>(total));
  MPI_Allgatherv(local.data(), count, MPI_DOUBLE, out.data(), counts.data(), displs.data(), MPI_DOUBLE,
                 MPI_COMM_WORLD);
  return out;
}

}  // namespace qnn::mpi
