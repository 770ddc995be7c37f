// The training suite of `qnn bench`: the rows the fast-training issue names, with the fields it asks for.
#include "qnn/ml/training_benchmark.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "qnn/core/parallel.hpp"

namespace qnn {
namespace {

TEST(TrainingBenchmark, RowsHaveRatiosAgainstTheirBaselines) {
  TrainingBenchConfig cfg;
  cfg.gradient_qubits = {4};
  cfg.parameter_shift_max_qubits = 4;
  cfg.step_qubits = {4};
  cfg.batch = 8;
  cfg.threads = {1};
  cfg.timing = TimingOptions{.repetitions = 3, .min_seconds = 0, .max_seconds = 0.05};
  const int threads = num_threads();
  unsigned seen = 0;
  const auto rows = run_training_benchmarks(cfg, [&](const BenchRow&) { ++seen; });
  EXPECT_EQ(num_threads(), threads);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(seen, 3U);
  for (const BenchRow& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(r.qubits, 4U);
    EXPECT_EQ(r.threads, 1);
    EXPECT_GT(r.seconds, 0.0);
    EXPECT_TRUE(std::isfinite(r.ratio) && r.ratio > 0);
    EXPECT_GE(r.repetitions, 3U);
  }
  EXPECT_EQ(rows[0].name, "gradient_adjoint");
  EXPECT_EQ(rows[0].parameters, 2U * 4 * 4);  // the benchmark ansatz: L = n layers of RY, RZ on every qubit
  EXPECT_EQ(rows[1].name, "gradient_parameter_shift");
  EXPECT_EQ(rows[1].parameters, 32U);
  EXPECT_EQ(rows[2].name, "training_step_batched");
  EXPECT_EQ(rows[2].batch, 8U);
}

}  // namespace
}  // namespace qnn
