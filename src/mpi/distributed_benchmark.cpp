#include "qnn/mpi/distributed_benchmark.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "qnn/circuit/gate.hpp"
#include "qnn/mpi/distributed_state_vector.hpp"

namespace qnn::mpi {

namespace {

// Median over repetitions of the slowest rank's time per gate (a gate is done when its last rank is).
double time_per_gate(const DistributedBenchConfig& cfg, const std::function<void()>& gate) {
  std::vector<double> t;
  gate();  // warm-up: first touch of buffers
  for (unsigned r = 0; r < cfg.repetitions; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned g = 0; g < cfg.gates_per_repetition; ++g) gate();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    t.push_back(s / cfg.gates_per_repetition);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

std::vector<DistributedBenchRow> run_distributed_benchmarks(const DistributedBenchConfig& cfg) {
  std::vector<DistributedBenchRow> rows;
  const int ranks = size();
  const GateMatrix h = gate_matrix(GateKind::H, {});
  const double angle[1] = {0.3};
  const GateMatrix rz = gate_matrix(GateKind::RZ, angle);
  const std::vector<unsigned> none;
  for (unsigned n = cfg.min_qubits; n <= cfg.max_qubits; n += std::max(1U, cfg.step)) {
    DistributedStateVector<double>::check_layout(n, ranks);
    // One process on the whole state, target the top qubit: the baseline the distributed rows are compared with.
    {
      double s = 0;
      if (rank() == 0) {
        StateVector<double> full(n);
        const unsigned t[1] = {n - 1};
        std::vector<double> ts;
        full.apply_matrix(t, h.span());
        for (unsigned r = 0; r < cfg.repetitions; ++r) {
          const auto t0 = std::chrono::steady_clock::now();
          for (unsigned g = 0; g < cfg.gates_per_repetition; ++g) full.apply_matrix(t, h.span());
          ts.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                       cfg.gates_per_repetition);
        }
        std::sort(ts.begin(), ts.end());
        s = ts[ts.size() / 2];
      }
      MPI_Bcast(&s, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
      rows.push_back({"single_process", "h", n, n - 1, 1, s, 0});
    }
    DistributedStateVector<double> psi(n);
    const unsigned L = psi.num_local_qubits();
    auto bench = [&](const char* name, const char* gate, unsigned target, const GateMatrix& m, bool diagonal) {
      const unsigned t[1] = {target};
      const std::uint64_t b0 = psi.bytes_sent();
      const double s = time_per_gate(cfg, [&] { psi.apply_matrix(t, m.span(), none, diagonal); });
      const std::uint64_t calls = 1 + std::uint64_t{cfg.repetitions} * cfg.gates_per_repetition;
      rows.push_back({name, gate, n, target, ranks, s, (psi.bytes_sent() - b0) / calls});
    };
    bench("local", "h", L - 1, h, false);
    if (L < n) {
      bench("global_diagonal", "rz", n - 1, rz, true);
      bench("global", "h", n - 1, h, false);
    }
  }
  return rows;
}

}  // namespace qnn::mpi
