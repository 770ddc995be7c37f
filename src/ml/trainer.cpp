#include "qnn/ml/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/ml/optimizer.hpp"

namespace qnn {

namespace {

// State that runs through every phase of one train() call: the shuffle stream, the step counter that seeds the
// hardware-style gradients, the epoch counter and the clock.
struct Run {
  const Dataset& data;
  const Dataset* test;
  const TrainOptions& opt;
  const std::function<void(const EpochMetrics&)>& on_epoch;
  const std::function<void(unsigned, std::size_t, std::size_t)>& on_batch;
  Rng rng;
  std::uint64_t step = 0;
  unsigned epoch = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  TrainResult result;

  [[nodiscard]] double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

// Quantum natural gradient on the trainable circuit weights, Adam on the trainable classical ones. The metric depends
// on the encoded input, so it is averaged over the first few samples of the batch.
void qng_step(QuantumClassifier& model, const Run& run, std::span<const std::size_t> batch, std::span<const double> grad,
              Adam& classical) {
  const unsigned nt = model.num_circuit_weights();
  const std::vector<bool>& mask = model.trainable();
  std::vector<unsigned> active;
  for (unsigned i = 0; i < nt; ++i)
    if (mask.empty() || mask[i]) active.push_back(i);
  std::vector<double>& w = model.weights();
  const std::span<const double> theta = std::span<const double>(w).first(nt);
  const std::size_t m = std::min<std::size_t>(batch.size(), std::max(1U, run.opt.qng_metric_samples));
  const std::size_t A = active.size();
  std::vector<double> g(A * A, 0.0);
  for (std::size_t s = 0; s < m; ++s) {
    const std::vector<double> x = model.standardizer().transform(run.data.features[batch[s]]);
    const std::vector<double> full = metric_tensor(model.circuit(), theta, x, run.opt.metric);
    for (std::size_t a = 0; a < A; ++a)
      for (std::size_t b = 0; b < A; ++b) g[a * A + b] += full[active[a] * nt + active[b]] / double(m);
  }
  std::vector<double> sub(A), sub_grad(A);
  for (std::size_t a = 0; a < A; ++a) {
    sub[a] = w[active[a]];
    sub_grad[a] = grad[active[a]];
  }
  QngOptimizer(run.opt.learning_rate, run.opt.qng_regularisation).step(sub, sub_grad, g);
  for (std::size_t a = 0; a < A; ++a) w[active[a]] = sub[a];
  classical.step(std::span<double>(w).subspan(nt), grad.subspan(nt));
}

// `epochs` epochs of mini-batch training of `model` (only its trainable weights move), with a fresh optimiser, so a
// weight frozen in this phase keeps its value exactly.
void run_phase(QuantumClassifier& model, Run& run, unsigned epochs) {
  const TrainOptions& opt = run.opt;
  const Dataset& data = run.data;
  Adam adam(opt.learning_rate);
  const std::size_t n = data.num_samples(), P = model.weights().size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t batches = (n + opt.batch_size - 1) / opt.batch_size;
  // A mini-batch is cut into fixed chunks simulated as batched states, in parallel; chunk gradients are summed in
  // chunk order, so a seed gives bit-identical weights whatever the thread count.
  constexpr std::size_t kChunk = 8;
  const bool hardware_style =
      opt.gradient.method != QuantumClassifier::GradientMethod::Adjoint || opt.gradient.shots != 0;
  const std::size_t max_parts = hardware_style ? std::min<std::size_t>(n, opt.batch_size)
                                               : (std::min<std::size_t>(n, opt.batch_size) + kChunk - 1) / kChunk;
  std::vector<std::vector<double>> parts(max_parts, std::vector<double>(P));
  std::vector<double> grad(P);
  // Amplitude updates per chunk: gates × 2^n × chunk × 3 (forward, and two states backward).
  const std::uint64_t work_per_chunk =
      3 * model.circuit().size() * (std::uint64_t{1} << model.circuit().num_qubits()) * kChunk;
  const auto layers = static_cast<unsigned>(model.config().layers);
  for (unsigned e = 0; e < epochs; ++e) {
    const unsigned epoch = ++run.epoch;
    run.rng.shuffle(order);
    for (std::size_t b = 0; b < batches; ++b) {
      const std::size_t lo = b * opt.batch_size, hi = std::min(n, lo + opt.batch_size), m = hi - lo;
      const std::span<const std::size_t> batch = std::span<const std::size_t>(order).subspan(lo, m);
      // Hardware style: one sample at a time, as on hardware; each sample's shots and SPSA directions come from its
      // own seed. Otherwise chunks of samples on batched states.
      const std::size_t num_parts = hardware_style ? m : (m + kChunk - 1) / kChunk;
      parallel_tasks(num_parts, [&](std::uint64_t i) {
        std::fill(parts[i].begin(), parts[i].end(), 0.0);
        if (hardware_style) {
          const std::size_t s = batch[i];
          const std::uint64_t seed = opt.seed ^ (0x9e3779b97f4a7c15ULL * (run.step * 65536 + i + 1));
          model.loss_and_gradient(data.features[s], data.labels[s], parts[i], opt.gradient, seed);
        } else {
          const std::size_t c0 = i * kChunk, c1 = std::min(m, c0 + kChunk);
          model.batch_loss_and_gradient(data, batch.subspan(c0, c1 - c0), parts[i]);
        }
      }, work_per_chunk);
      std::fill(grad.begin(), grad.end(), 0.0);
      for (std::size_t i = 0; i < num_parts; ++i)
        for (std::size_t p = 0; p < P; ++p) grad[p] += parts[i][p] / double(m);
      if (opt.optimizer == OptimizerKind::Qng) {
        qng_step(model, run, batch, grad, adam);
      } else {
        adam.step(model.weights(), grad);
      }
      ++run.step;
      for (double w : model.weights())
        if (!std::isfinite(w)) throw ValueError("training diverged (a weight became non-finite); lower the learning rate");
      if (run.on_batch) run.on_batch(epoch, b + 1, batches);
    }
    EpochMetrics em;
    em.epoch = epoch;
    em.layers = layers;
    const auto tr = model.evaluate(data);
    em.train_loss = tr.loss;
    em.train_accuracy = tr.accuracy;
    if (run.test != nullptr && run.test->num_samples() > 0) {
      const auto te = model.evaluate(*run.test);
      em.test_loss = te.loss;
      em.test_accuracy = te.accuracy;
    }
    em.seconds = run.elapsed();
    run.result.history.push_back(em);
    if (run.on_epoch) run.on_epoch(em);
  }
}

// Layer-wise growth: for l = 0 … L−1 a model of the first l + 1 layers (the full model's weights for them, the same
// readout) trains layer l and the readout with the earlier layers frozen; the result is copied back.
void grow_layer_by_layer(QuantumClassifier& model, Run& run) {
  const ClassifierConfig& cfg = model.config();
  const unsigned nt = model.num_circuit_weights(), classical = 2 * cfg.num_classes;
  for (unsigned l = 0; l < cfg.layers; ++l) {
    ClassifierConfig sub_cfg = cfg;
    sub_cfg.layers = l + 1;
    QuantumClassifier sub(sub_cfg, run.opt.seed);
    const auto [first, last] = model.layer_weights(l);
    std::vector<double> w(model.weights().begin(), model.weights().begin() + last);
    w.insert(w.end(), model.weights().begin() + nt, model.weights().end());
    sub.set_weights(std::move(w));
    sub.set_standardizer(model.standardizer());
    std::vector<bool> mask(last + classical, true);
    std::fill(mask.begin(), mask.begin() + first, false);
    sub.set_trainable(std::move(mask));
    run_phase(sub, run, run.opt.epochs_per_layer);
    std::vector<double> grown = model.weights();
    std::copy(sub.weights().begin(), sub.weights().begin() + last, grown.begin());
    std::copy(sub.weights().begin() + last, sub.weights().end(), grown.begin() + nt);
    model.set_weights(std::move(grown));
  }
}

}  // namespace

unsigned total_epochs(const TrainOptions& options, const ClassifierConfig& model) {
  const bool layerwise = options.epochs_per_layer > 0 && model.layers > 1;
  return options.epochs + (layerwise ? model.layers * options.epochs_per_layer : 0);
}

TrainResult train(QuantumClassifier& model, const Dataset& data, const Dataset* test, const TrainOptions& opt,
                  const std::function<void(const EpochMetrics&)>& on_epoch,
                  const std::function<void(unsigned, std::size_t, std::size_t)>& on_batch) {
  if (opt.epochs == 0) throw ValueError("epochs must be at least 1");
  if (opt.batch_size == 0) throw ValueError("batch size must be at least 1");
  if (data.num_samples() == 0) throw ValueError("the training set is empty");
  if (data.num_features() != model.config().num_features) {
    throw ValueError("the data has " + std::to_string(data.num_features()) + " features, the model expects " +
                     std::to_string(model.config().num_features));
  }
  if (data.num_classes() > model.config().num_classes) throw ValueError("the data has more classes than the model");
  if (opt.optimizer == OptimizerKind::Qng && !(opt.qng_regularisation > 0)) {
    throw ValueError("the QNG regularisation must be positive");
  }
  Adam check_lr(opt.learning_rate);  // rejects a bad learning rate before any work

  Run run{data, test, opt, on_epoch, on_batch, Rng(opt.seed), 0, 0, std::chrono::steady_clock::now(), {}};
  if (total_epochs(opt, model.config()) > opt.epochs) grow_layer_by_layer(model, run);
  run_phase(model, run, opt.epochs);
  run.result.seconds = run.elapsed();
  return std::move(run.result);
}

}  // namespace qnn
