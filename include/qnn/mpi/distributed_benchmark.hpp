#pragma once
// `qnn bench --mpi`: the cost of a gate on a distributed state by where its target lives — a local qubit (the ordinary
// kernel on the slice), a global qubit with a diagonal gate (a per-rank phase, no messages) and a global qubit with a
// dense gate (two pairwise exchanges of half the slice: swap in, apply, swap back) — with the bytes each rank sends,
// beside one process running the same gate on the whole state (measured in the same run, on rank 0 alone).
#include <cstdint>
#include <string>
#include <vector>

namespace qnn::mpi {

struct DistributedBenchRow {
  std::string name;      // "single_process", "local", "global_diagonal", "global"
  std::string gate;      // "h" or "rz"
  unsigned qubits = 0;
  unsigned target = 0;
  int ranks = 1;
  double seconds_per_gate = 0;       // median over repetitions of the slowest rank's time
  std::uint64_t bytes_per_gate = 0;  // sent by each rank (received: the same)
};

struct DistributedBenchConfig {
  unsigned min_qubits = 20;
  unsigned max_qubits = 24;
  unsigned step = 2;
  unsigned repetitions = 5;
  unsigned gates_per_repetition = 4;
};

/// Collective; every rank returns the same rows.
std::vector<DistributedBenchRow> run_distributed_benchmarks(const DistributedBenchConfig& config);

}  // namespace qnn::mpi
