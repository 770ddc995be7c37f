#include "qnn/ml/trainer.hpp"

#include <chrono>
#include <cmath>
#include <numeric>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/ml/optimizer.hpp"

namespace qnn {

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

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  Adam adam(opt.learning_rate);
  Rng rng(opt.seed);
  const std::size_t n = data.num_samples(), P = model.weights().size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t batches = (n + opt.batch_size - 1) / opt.batch_size;
  // A mini-batch is cut into fixed chunks simulated as batched states, in parallel; chunk gradients are summed in
  // chunk order, so a seed gives bit-identical weights whatever the thread count.
  constexpr std::size_t kChunk = 8;
  const std::size_t max_chunks = (std::min<std::size_t>(n, opt.batch_size) + kChunk - 1) / kChunk;
  std::vector<std::vector<double>> per_chunk(max_chunks, std::vector<double>(P));
  std::vector<double> grad(P);
  const bool hardware_style =
      opt.gradient.method != QuantumClassifier::GradientMethod::Adjoint || opt.gradient.shots != 0;
  std::vector<std::vector<double>> per_sample(hardware_style ? std::min<std::size_t>(n, opt.batch_size) : 0,
                                              std::vector<double>(P));
  std::uint64_t step = 0;
  // Amplitude updates per chunk: gates × 2^n × chunk × 3 (forward, and two states backward).
  const std::uint64_t work_per_chunk =
      3 * model.circuit().size() * (std::uint64_t{1} << model.circuit().num_qubits()) * kChunk;
  TrainResult result;
  for (unsigned epoch = 1; epoch <= opt.epochs; ++epoch) {
    rng.shuffle(order);
    for (std::size_t b = 0; b < batches; ++b) {
      const std::size_t lo = b * opt.batch_size, hi = std::min(n, lo + opt.batch_size), m = hi - lo;
      if (hardware_style) {
        // One sample at a time, as on hardware; each sample's shots and SPSA directions come from its own seed.
        parallel_tasks(m, [&](std::uint64_t i) {
          std::fill(per_sample[i].begin(), per_sample[i].end(), 0.0);
          const std::size_t s = order[lo + i];
          const std::uint64_t seed = opt.seed ^ (0x9e3779b97f4a7c15ULL * (step * 65536 + i + 1));
          model.loss_and_gradient(data.features[s], data.labels[s], per_sample[i], opt.gradient, seed);
        }, work_per_chunk);
        std::fill(grad.begin(), grad.end(), 0.0);
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t p = 0; p < P; ++p) grad[p] += per_sample[i][p] / double(m);
        adam.step(model.weights(), grad);
        ++step;
        if (on_batch) on_batch(epoch, b + 1, batches);
        continue;
      }
      const std::size_t chunks = (m + kChunk - 1) / kChunk;
      parallel_tasks(chunks, [&](std::uint64_t ch) {
        std::fill(per_chunk[ch].begin(), per_chunk[ch].end(), 0.0);
        const std::size_t c0 = lo + ch * kChunk, c1 = std::min(hi, c0 + kChunk);
        model.batch_loss_and_gradient(data, std::span<const std::size_t>(order).subspan(c0, c1 - c0), per_chunk[ch]);
      }, work_per_chunk);
      std::fill(grad.begin(), grad.end(), 0.0);
      for (std::size_t ch = 0; ch < chunks; ++ch)
        for (std::size_t p = 0; p < P; ++p) grad[p] += per_chunk[ch][p] / double(m);
      adam.step(model.weights(), grad);
      for (double w : model.weights())
        if (!std::isfinite(w)) throw ValueError("training diverged (a weight became non-finite); lower the learning rate");
      if (on_batch) on_batch(epoch, b + 1, batches);
    }
    EpochMetrics em;
    em.epoch = epoch;
    const auto tr = model.evaluate(data);
    em.train_loss = tr.loss;
    em.train_accuracy = tr.accuracy;
    if (test != nullptr && test->num_samples() > 0) {
      const auto te = model.evaluate(*test);
      em.test_loss = te.loss;
      em.test_accuracy = te.accuracy;
    }
    em.seconds = elapsed();
    result.history.push_back(em);
    if (on_epoch) on_epoch(em);
  }
  result.seconds = elapsed();
  return result;
}

}  // namespace qnn
