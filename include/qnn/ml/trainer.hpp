#pragma once
// Mini-batch training of a QuantumClassifier: any first-order optimiser (qnn/ml/optimizer.hpp), quantum natural
// gradient, or full-batch L-BFGS; learning-rate schedules; early stopping on a validation set; layer-by-layer growth;
// and checkpoints from which a killed run resumes bit for bit.
//
// Samples of a batch run in parallel; their gradients are summed in a fixed order, so a seed gives the same weights
// whatever the thread count.
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "qnn/diff/metric_tensor.hpp"
#include "qnn/ml/classifier.hpp"
#include "qnn/ml/dataset.hpp"
#include "qnn/ml/optimizer.hpp"

namespace qnn {

/// Data-parallel training over processes (qnn_mpi's data_parallel() fills it in; the default is one process). Each
/// mini-batch is cut into the same fixed chunks as in one process; process `rank` of `size` computes the contiguous
/// block of chunks [num·rank/size, num·(rank+1)/size), and `all_gather` concatenates every process's block in rank
/// order on every process. All processes then add the same chunk partials in the same order as one process does, so
/// the trained weights are bit-identical to a single-process run's.
struct DataParallel {
  unsigned rank = 0;
  unsigned size = 1;
  std::function<std::vector<double>(std::span<const double>)> all_gather;
};

struct TrainOptions {
  unsigned epochs = 40;
  unsigned batch_size = 16;
  double learning_rate = 0.05;
  std::uint64_t seed = 7;  // shuffles the training order each epoch
  /// Adjoint without shots uses the batched simulator; anything else runs sample by sample (hardware-faithful).
  QuantumClassifier::HardwareOptions gradient{QuantumClassifier::GradientMethod::Adjoint, 0, 0.05};
  /// One of optimizer_names() (sgd, momentum, nesterov, adam, adamw, rmsprop); "qng": quantum natural gradient on the
  /// circuit weights (Stokes et al. 2020) and Adam on the classical readout; "lbfgs": full-batch L-BFGS, one iteration
  /// per epoch (batch_size and the schedule do not apply; such a run cannot be resumed).
  std::string optimizer = "adam";
  LearningRateSchedule schedule;
  /// QNG: which Fubini–Study metric, its regularisation λ in (g + λI)⁻¹, and how many samples of each batch the
  /// metric is averaged over (it depends on the encoded input). λ = 0.01: on Iris (4 qubits, 3 layers, lr 0.05,
  /// 8 epochs) the full metric with λ = 0.001 takes steps along near-null directions and ends at test accuracy 0.83;
  /// with 0.01 and 0.1, 0.97, as the block-diagonal metric does with any of the three.
  MetricApproximation metric = MetricApproximation::BlockDiagonal;
  double qng_regularisation = 0.01;
  unsigned qng_metric_samples = 4;
  /// Layer-wise training (Skolik et al. 2021) when > 0 and the model has ≥ 2 layers: the circuit is grown one ansatz
  /// layer at a time and only the newest layer (and the classical readout) is trained, for this many epochs per layer;
  /// then every weight is trained for `epochs`. Frozen weights cost nothing in the backward sweep.
  unsigned epochs_per_layer = 0;
  /// Early stopping (needs a validation set): stop when the validation loss has not improved for this many epochs of
  /// the final phase, and keep the weights of the best epoch. 0: off.
  unsigned patience = 0;
  /// Split each mini-batch over processes (see DataParallel).
  DataParallel data_parallel;
};

/// Epochs train() runs at most: layers · epochs_per_layer (when layer-wise) + epochs.
unsigned total_epochs(const TrainOptions& options, const ClassifierConfig& model);

struct EpochMetrics {
  unsigned epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();
  double test_loss = std::numeric_limits<double>::quiet_NaN();
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0;  // wall time spent training (over every resumed part of the run)
  unsigned layers = 0;  // ansatz layers in the circuit during this epoch (fewer than the model's while growing)
  double learning_rate = 0;
};

/// Everything a run needs to continue exactly where it stopped, taken after every epoch.
struct TrainCheckpoint {
  unsigned epochs_done = 0;
  std::uint64_t step = 0;                    // mini-batches done (seeds the hardware-style gradients)
  std::array<std::uint64_t, 4> rng{};        // the shuffle stream
  std::vector<std::uint64_t> order;          // the current training order (a permutation of the training set)
  std::vector<double> weights;               // the full model's weights
  std::vector<double> optimizer_state;       // of the current phase's optimiser; empty at a phase boundary
  std::vector<EpochMetrics> history;
  double best_validation_loss = std::numeric_limits<double>::infinity();
  unsigned best_epoch = 0;
  std::vector<double> best_weights;
  bool finished = false;
};

struct TrainResult {
  std::vector<EpochMetrics> history;
  double seconds = 0;
  bool stopped_early = false;
  unsigned best_epoch = 0;  // early stopping: the epoch whose weights the model ends with
};

struct TrainSets {
  const Dataset* train = nullptr;
  const Dataset* validation = nullptr;  // early stopping; reported every epoch if given
  const Dataset* test = nullptr;        // reported every epoch if given; never used for decisions
};

struct TrainCallbacks {
  std::function<void(const EpochMetrics&)> on_epoch;
  std::function<void(unsigned epoch, std::size_t batches_done, std::size_t batches_total)> on_batch;
  /// After every epoch (write it to disk to make the run resumable).
  std::function<void(const TrainCheckpoint&)> on_checkpoint;
};

/// Train `model` on sets.train, continuing from `resume` if given (a checkpoint of a run with the same model
/// architecture, data and options: the result is bit-identical to the uninterrupted run).
TrainResult train(QuantumClassifier& model, const TrainSets& sets, const TrainOptions& options,
                  const TrainCallbacks& callbacks = {}, const TrainCheckpoint* resume = nullptr);

/// Train `model` on `train` (and report on `test` each epoch if given). `on_epoch` is called after each epoch and,
/// with batches_done/batches_total, `on_batch` after each batch (for progress bars).
TrainResult train(QuantumClassifier& model, const Dataset& train, const Dataset* test, const TrainOptions& options,
                  const std::function<void(const EpochMetrics&)>& on_epoch = {},
                  const std::function<void(unsigned epoch, std::size_t batches_done, std::size_t batches_total)>&
                      on_batch = {});

}  // namespace qnn
