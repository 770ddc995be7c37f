#pragma once
// What a training step costs, measured against a baseline timed in the same run (the machine is shared and noisy, so
// only same-run ratios mean anything). Rows, as BenchRow (qnn/exec/benchmark.hpp):
//   gradient_adjoint          full adjoint gradient of ⟨Z_0⟩ for the benchmark ansatz (n qubits, L = n layers,
//                             P = 2n² weights); ratio = gradient time ÷ one unfused forward pass (+ ⟨Z_0⟩)
//   gradient_parameter_shift  the same gradient by the parameter-shift rule (2P + 1 circuit runs, batched);
//                             ratio = gradient time ÷ the same forward pass, i.e. "forward passes per gradient"
//   training_step_batched     loss and gradient of a QuantumClassifier (n qubits, n features, 2 classes, 3 layers) on
//                             a batch of `batch` samples at once; ratio = time of the same work one sample at a time
//                             ÷ batched time (> 1: batching is faster)
#include <functional>
#include <vector>

#include "qnn/exec/benchmark.hpp"

namespace qnn {

struct TrainingBenchConfig {
  /// Sizes of the gradient rows.
  std::vector<unsigned> gradient_qubits = {8, 12, 16, 20};
  /// gradient_parameter_shift only up to this size (it costs 2P forward passes).
  unsigned parameter_shift_max_qubits = 12;
  /// Sizes of the training_step_batched rows.
  std::vector<unsigned> step_qubits = {4, 6, 8, 10};
  unsigned batch = 64;
  std::vector<int> threads = {1, 2};
  TimingOptions timing;
  std::uint64_t seed = 20240607;
};

/// `qnn bench --quick`: gradients at n = 8 and 12, steps at 4, 6, 8, 10, short samples.
TrainingBenchConfig quick_training_bench_config();

/// Run every measurement, calling `on_row` as each row is ready. The thread count is restored afterwards.
std::vector<BenchRow> run_training_benchmarks(const TrainingBenchConfig& config,
                                              const std::function<void(const BenchRow&)>& on_row = {});

}  // namespace qnn
