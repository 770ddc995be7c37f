#pragma once
// Mini-batch training of a QuantumClassifier with Adam. Samples of a batch run in parallel; their gradients are summed
// in sample order, so a seed gives the same weights whatever the thread count.
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "qnn/ml/classifier.hpp"
#include "qnn/ml/dataset.hpp"

namespace qnn {

struct TrainOptions {
  unsigned epochs = 40;
  unsigned batch_size = 16;
  double learning_rate = 0.05;
  std::uint64_t seed = 7;  // shuffles the training order each epoch
  /// Adjoint without shots uses the batched simulator; anything else runs sample by sample (hardware-faithful).
  QuantumClassifier::HardwareOptions gradient{QuantumClassifier::GradientMethod::Adjoint, 0, 0.05};
};

struct EpochMetrics {
  unsigned epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  double test_loss = std::numeric_limits<double>::quiet_NaN();
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0;  // wall time since training began
};

struct TrainResult {
  std::vector<EpochMetrics> history;
  double seconds = 0;
};

/// Train `model` on `train` (and report on `test` each epoch if given). `on_epoch` is called after each epoch and,
/// with batches_done/batches_total, `on_batch` after each batch (for progress bars).
TrainResult train(QuantumClassifier& model, const Dataset& train, const Dataset* test, const TrainOptions& options,
                  const std::function<void(const EpochMetrics&)>& on_epoch = {},
                  const std::function<void(unsigned epoch, std::size_t batches_done, std::size_t batches_total)>&
                      on_batch = {});

}  // namespace qnn
