#include "qnn/ml/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {

namespace {

// A stretch of training with one model shape and one optimiser: a growth step of layer-wise training (a model of the
// first layer + 1 layers, only that layer and the readout trainable) or the final phase (the model as given).
struct Phase {
  bool grow = false;
  unsigned layer = 0;
  unsigned epochs = 0;
};

std::vector<Phase> phases_of(const TrainOptions& opt, const ClassifierConfig& cfg) {
  std::vector<Phase> p;
  if (opt.epochs_per_layer > 0 && cfg.layers > 1)
    for (unsigned l = 0; l < cfg.layers; ++l) p.push_back({true, l, opt.epochs_per_layer});
  p.push_back({false, 0, opt.epochs});
  return p;
}

// State that runs through every phase of one train() call.
struct Run {
  const TrainSets& sets;
  const TrainOptions& opt;
  const TrainCallbacks& cb;
  Rng rng;
  TrainCheckpoint cp;       // what the next checkpoint will say
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double seconds_before = 0;  // training time of the parts of the run before a resume
  bool stopped_early = false;

  [[nodiscard]] double elapsed() const {
    return seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

// Samples per batched state. Fixed, not per thread count, so the sums (and the weights) are the same bits whatever the
// thread count. A 64-sample mini-batch gradient, chunks run as parallel tasks (Intel Xeon, 2 cores, medians):
//   chunk          8         16        32        64
//   6 qubits, 1 thread   0.355 ms            0.148     0.120
//   8 qubits, 1 thread   1.258     0.774     0.553     0.452
//   8 qubits, 2 threads  0.652     0.406     0.315     0.610
//   10 qubits, 1 thread  2.737     1.629     1.386     1.502
//   10 qubits, 2 threads 1.585     0.927     0.753     1.540
//   12 qubits, 2 threads 6.638     5.648     5.703     6.182
// A batched state amortises each gate over its samples (8 samples per chunk left most of that unused); past about
// 32 its two states outgrow the cache at 10 qubits, and one chunk leaves the second thread to the kernels' own
// splitting, which costs more than it saves at these sizes. A 16-sample batch of Iris: one chunk on one thread
// 0.028 ms, two chunks of 8 on two threads 0.045.
constexpr std::size_t kChunk = 32;

bool hardware_style(const TrainOptions& opt) {
  return opt.gradient.method != QuantumClassifier::GradientMethod::Adjoint || opt.gradient.shots != 0;
}

// Mean loss and gradient over `batch`: chunks of samples on batched states (or, hardware style, one sample at a time
// with its own seed), in parallel, summed in a fixed order so the result does not depend on the thread count.
double batch_gradient(const QuantumClassifier& model, const Run& run, std::span<const std::size_t> batch,
                      std::vector<std::vector<double>>& parts, std::vector<double>& grad) {
  const TrainOptions& opt = run.opt;
  const Dataset& data = *run.sets.train;
  const bool hw = hardware_style(opt);
  const std::size_t m = batch.size(), P = grad.size();
  const std::size_t num_parts = hw ? m : (m + kChunk - 1) / kChunk;
  if (parts.size() < num_parts) parts.resize(num_parts);
  std::vector<double> losses(num_parts);
  // Amplitude updates per chunk: gates × 2^n × chunk × 3 (forward, and two states backward).
  const std::uint64_t work = 3 * model.circuit().size() * (std::uint64_t{1} << model.circuit().num_qubits()) * kChunk;
  // Data-parallel: this process computes its block of chunks, then every block is gathered (DataParallel).
  const DataParallel& dp = opt.data_parallel;
  const bool split = dp.size > 1 && dp.all_gather;
  const std::size_t i0 = split ? num_parts * dp.rank / dp.size : 0;
  const std::size_t i1 = split ? num_parts * (dp.rank + 1) / dp.size : num_parts;
  parallel_tasks(i1 - i0, [&](std::uint64_t k) {
    const std::size_t i = i0 + k;
    parts[i].assign(P, 0.0);
    if (hw) {
      const std::size_t s = batch[i];
      const std::uint64_t seed = opt.seed ^ (0x9e3779b97f4a7c15ULL * (run.cp.step * 65536 + i + 1));
      losses[i] = model.loss_and_gradient(data.features[s], data.labels[s], parts[i], opt.gradient, seed);
    } else {
      const std::size_t c0 = i * kChunk, c1 = std::min(m, c0 + kChunk);
      losses[i] = model.batch_loss_and_gradient(data, batch.subspan(c0, c1 - c0), parts[i]);
    }
  }, work);
  if (split) {
    std::vector<double> mine;
    mine.reserve((i1 - i0) * (P + 1));
    for (std::size_t i = i0; i < i1; ++i) {
      mine.push_back(losses[i]);
      mine.insert(mine.end(), parts[i].begin(), parts[i].end());
    }
    const std::vector<double> all = dp.all_gather(mine);
    if (all.size() != num_parts * (P + 1)) throw ValueError("data-parallel gather returned the wrong number of values");
    for (std::size_t i = 0; i < num_parts; ++i) {
      losses[i] = all[i * (P + 1)];
      parts[i].assign(all.begin() + static_cast<std::ptrdiff_t>(i * (P + 1) + 1),
                      all.begin() + static_cast<std::ptrdiff_t>((i + 1) * (P + 1)));
    }
  }
  std::fill(grad.begin(), grad.end(), 0.0);
  double loss = 0;
  for (std::size_t i = 0; i < num_parts; ++i) {
    loss += losses[i];
    for (std::size_t p = 0; p < P; ++p) grad[p] += parts[i][p] / double(m);
  }
  return loss / double(m);
}

// Quantum natural gradient on the trainable circuit weights, the phase optimiser (Adam) on the classical ones. The
// metric depends on the encoded input, so it is averaged over the first few samples of the batch.
void qng_step(QuantumClassifier& model, const Run& run, std::span<const std::size_t> batch, std::span<const double> grad,
              double lr, Optimizer& classical) {
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
    const std::vector<double> x = model.circuit_inputs(run.sets.train->features[batch[s]]);
    const std::vector<double> full = metric_tensor(model.circuit(), theta, x, run.opt.metric);
    for (std::size_t a = 0; a < A; ++a)
      for (std::size_t b = 0; b < A; ++b) g[a * A + b] += full[active[a] * nt + active[b]] / double(m);
  }
  std::vector<double> sub(A), sub_grad(A);
  for (std::size_t a = 0; a < A; ++a) {
    sub[a] = w[active[a]];
    sub_grad[a] = grad[active[a]];
  }
  QngOptimizer(lr, run.opt.qng_regularisation).step(sub, sub_grad, g);
  for (std::size_t a = 0; a < A; ++a) w[active[a]] = sub[a];
  classical.step(std::span<double>(w).subspan(nt), grad.subspan(nt));
}

// Metrics of the epoch just trained, the early-stopping bookkeeping of the final phase, the callbacks and the
// checkpoint. Returns false when early stopping ends the run.
bool end_epoch(Run& run, const QuantumClassifier& model, const std::vector<double>& full_weights, bool final_phase,
               double lr, const Optimizer* optimizer, bool phase_done) {
  EpochMetrics em;
  em.epoch = run.cp.epochs_done;
  em.layers = model.config().layers;
  em.learning_rate = lr;
  const auto tr = model.evaluate(*run.sets.train);
  em.train_loss = tr.loss;
  em.train_accuracy = tr.accuracy;
  if (run.sets.validation != nullptr && run.sets.validation->num_samples() > 0) {
    const auto va = model.evaluate(*run.sets.validation);
    em.validation_loss = va.loss;
    em.validation_accuracy = va.accuracy;
  }
  if (run.sets.test != nullptr && run.sets.test->num_samples() > 0) {
    const auto te = model.evaluate(*run.sets.test);
    em.test_loss = te.loss;
    em.test_accuracy = te.accuracy;
  }
  em.seconds = run.elapsed();
  run.cp.history.push_back(em);
  run.cp.weights = full_weights;
  bool go_on = true;
  if (final_phase && std::isfinite(em.validation_loss)) {
    if (em.validation_loss < run.cp.best_validation_loss) {
      run.cp.best_validation_loss = em.validation_loss;
      run.cp.best_epoch = em.epoch;
      run.cp.best_weights = full_weights;
    } else if (run.opt.patience > 0 && em.epoch - run.cp.best_epoch >= run.opt.patience) {
      go_on = false;
    }
  }
  run.cp.optimizer_state = phase_done || optimizer == nullptr ? std::vector<double>{} : optimizer->state();
  run.cp.rng = run.rng.state();
  if (run.cb.on_epoch) run.cb.on_epoch(em);
  if (run.cb.on_checkpoint && go_on) run.cb.on_checkpoint(run.cp);
  return go_on;
}

// Trains `model` for the rest of `phase` (`done` of its epochs already done; `state` restores the optimiser of a
// resumed phase). `to_full` maps the phase model's weights to the full model's, for checkpoints.
void run_phase(QuantumClassifier& model, Run& run, const Phase& phase, unsigned done, std::span<const double> state,
               const std::function<std::vector<double>(const QuantumClassifier&)>& to_full) {
  const TrainOptions& opt = run.opt;
  const Dataset& data = *run.sets.train;
  const std::size_t n = data.num_samples(), P = model.weights().size();
  const bool final_phase = !phase.grow;
  std::vector<std::vector<double>> parts;
  std::vector<double> grad(P);
  std::vector<std::size_t> order(run.cp.order.begin(), run.cp.order.end());

  if (opt.optimizer == "lbfgs") {
    if (done > 0) throw ValueError("an L-BFGS run cannot be resumed in the middle of a phase (its curvature history is "
                                   "not checkpointed)");
    bool go_on = true;
    unsigned iteration = 0;
    auto f = [&](std::span<const double> w, std::span<double> g) {
      model.weights().assign(w.begin(), w.end());
      std::vector<double> gv(P);
      const double loss = batch_gradient(model, run, order, parts, gv);
      std::copy(gv.begin(), gv.end(), g.begin());
      return loss;
    };
    std::vector<double> w = model.weights();
    LbfgsOptions lo;
    lo.max_iterations = phase.epochs;
    lo.gradient_tolerance = 1e-9;
    lbfgs_minimize(f, w, lo, [&](unsigned, double) {
      if (!go_on) return;
      ++iteration;
      ++run.cp.epochs_done;
      ++run.cp.step;
      // f left the model at the last trial point, which is the accepted iterate.
      go_on = end_epoch(run, model, to_full(model), final_phase, opt.learning_rate, nullptr, iteration == phase.epochs);
    });
    if (!go_on) run.stopped_early = true;
    model.weights() = w;
    return;
  }

  // Every phase gets a fresh optimiser, so a weight frozen in it keeps its value exactly.
  const bool qng = opt.optimizer == "qng";
  std::unique_ptr<Optimizer> optimizer = make_optimizer(qng ? "adam" : opt.optimizer, opt.learning_rate);
  if (!state.empty()) optimizer->set_state(state);
  const std::size_t batches = (n + opt.batch_size - 1) / opt.batch_size;
  for (unsigned e = done; e < phase.epochs; ++e) {
    const double lr = opt.schedule.rate(opt.learning_rate, run.cp.epochs_done);
    optimizer->set_learning_rate(lr);
    const unsigned epoch = run.cp.epochs_done + 1;
    run.rng.shuffle(order);
    for (std::size_t b = 0; b < batches; ++b) {
      const std::size_t lo = b * opt.batch_size, m = std::min(n, lo + opt.batch_size) - lo;
      const std::span<const std::size_t> batch = std::span<const std::size_t>(order).subspan(lo, m);
      batch_gradient(model, run, batch, parts, grad);
      if (qng) {
        qng_step(model, run, batch, grad, lr, *optimizer);
      } else {
        optimizer->step(model.weights(), grad);
      }
      ++run.cp.step;
      for (double w : model.weights())
        if (!std::isfinite(w)) throw ValueError("training diverged (a weight became non-finite); lower the learning rate");
      if (run.cb.on_batch) run.cb.on_batch(epoch, b + 1, batches);
    }
    run.cp.epochs_done = epoch;
    run.cp.order.assign(order.begin(), order.end());
    if (!end_epoch(run, model, to_full(model), final_phase, lr, optimizer.get(), e + 1 == phase.epochs)) {
      run.stopped_early = true;
      return;
    }
  }
}

void check_resume(const TrainCheckpoint& cp, const QuantumClassifier& model, const TrainOptions& opt, std::size_t n) {
  if (cp.weights.size() != model.weights().size()) {
    throw ValueError("the checkpoint has " + std::to_string(cp.weights.size()) + " weights, the model " +
                     std::to_string(model.weights().size()));
  }
  if (cp.order.size() != n) {
    throw ValueError("the checkpoint's training order has " + std::to_string(cp.order.size()) +
                     " samples, the training set " + std::to_string(n));
  }
  std::vector<bool> seen(n, false);
  for (std::uint64_t i : cp.order) {
    if (i >= n || seen[i]) throw ValueError("the checkpoint's training order is not a permutation of the training set");
    seen[i] = true;
  }
  if (cp.history.size() != cp.epochs_done) throw ValueError("the checkpoint's history does not match its epoch count");
  if (cp.epochs_done > total_epochs(opt, model.config())) throw ValueError("the checkpoint is past the end of the run");
  for (double w : cp.weights)
    if (!std::isfinite(w)) throw ValueError("the checkpoint has non-finite weights");
}

}  // namespace

unsigned total_epochs(const TrainOptions& options, const ClassifierConfig& model) {
  const bool layerwise = options.epochs_per_layer > 0 && model.layers > 1;
  return options.epochs + (layerwise ? model.layers * options.epochs_per_layer : 0);
}

TrainResult train(QuantumClassifier& model, const TrainSets& sets, const TrainOptions& opt,
                  const TrainCallbacks& callbacks, const TrainCheckpoint* resume) {
  if (sets.train == nullptr) throw ValueError("no training set");
  const Dataset& data = *sets.train;
  if (opt.epochs == 0) throw ValueError("epochs must be at least 1");
  if (opt.batch_size == 0) throw ValueError("batch size must be at least 1");
  if (data.num_samples() == 0) throw ValueError("the training set is empty");
  if (data.num_features() != model.config().num_features) {
    throw ValueError("the data has " + std::to_string(data.num_features()) + " features, the model expects " +
                     std::to_string(model.config().num_features));
  }
  if (data.num_classes() > model.config().num_classes) throw ValueError("the data has more classes than the model");
  if (opt.optimizer == "qng" && !(opt.qng_regularisation > 0)) throw ValueError("the QNG regularisation must be positive");
  if (opt.optimizer != "qng" && opt.optimizer != "lbfgs") (void)make_optimizer(opt.optimizer, opt.learning_rate);
  (void)Adam(opt.learning_rate);  // rejects a bad learning rate before any work
  if (opt.patience > 0 && (sets.validation == nullptr || sets.validation->num_samples() == 0)) {
    throw ValueError("early stopping needs a validation set");
  }

  const std::size_t n = data.num_samples();
  Run run{sets, opt, callbacks, Rng(opt.seed), {}, std::chrono::steady_clock::now(), 0, false};
  run.cp.order.resize(n);
  std::iota(run.cp.order.begin(), run.cp.order.end(), std::uint64_t{0});
  run.cp.weights = model.weights();
  run.cp.rng = run.rng.state();
  if (resume != nullptr) {
    check_resume(*resume, model, opt, n);
    run.cp = *resume;
    run.rng.set_state(resume->rng);
    model.set_weights(resume->weights);
    if (!resume->history.empty()) run.seconds_before = resume->history.back().seconds;
  }

  const ClassifierConfig& cfg = model.config();
  const unsigned nt = model.num_circuit_weights();
  unsigned start = 0;
  bool first_resumed_phase = resume != nullptr;
  if (!run.cp.finished) {
    for (const Phase& phase : phases_of(opt, cfg)) {
      const unsigned done = run.cp.epochs_done > start ? std::min(phase.epochs, run.cp.epochs_done - start) : 0;
      start += phase.epochs;
      if (done == phase.epochs) continue;
      const std::vector<double> state = first_resumed_phase && done > 0 ? run.cp.optimizer_state : std::vector<double>{};
      first_resumed_phase = false;
      if (!phase.grow) {
        run_phase(model, run, phase, done, state, [](const QuantumClassifier& m) { return m.weights(); });
        break;
      }
      // Layer-wise growth: a model of the first l + 1 layers (the full model's weights for them, the same readout)
      // trains layer l and the readout with the earlier layers frozen; the result is copied back.
      ClassifierConfig sub_cfg = cfg;
      sub_cfg.layers = phase.layer + 1;
      QuantumClassifier sub(sub_cfg, opt.seed);
      const auto [first, last] = model.layer_weights(phase.layer);
      std::vector<double> w(model.weights().begin(), model.weights().begin() + last);
      w.insert(w.end(), model.weights().begin() + nt, model.weights().end());
      sub.set_weights(std::move(w));
      sub.set_standardizer(model.standardizer());
      if (cfg.pca_components > 0) sub.set_pca(model.pca());
      std::vector<bool> mask(sub.weights().size(), true);
      std::fill(mask.begin(), mask.begin() + first, false);
      sub.set_trainable(std::move(mask));
      auto to_full = [&, last = last](const QuantumClassifier& m) {
        std::vector<double> grown = model.weights();
        std::copy(m.weights().begin(), m.weights().begin() + last, grown.begin());
        std::copy(m.weights().begin() + last, m.weights().end(), grown.begin() + nt);
        return grown;
      };
      run_phase(sub, run, phase, done, state, to_full);
      model.set_weights(to_full(sub));
      if (run.stopped_early) break;
    }
  }
  TrainResult result;
  if (run.stopped_early || (!run.cp.finished && run.cp.best_epoch > 0 && opt.patience > 0)) {
    // Early stopping keeps the best epoch's weights.
    model.set_weights(run.cp.best_weights);
    result.stopped_early = run.stopped_early;
  }
  result.best_epoch = run.cp.best_epoch;
  if (!run.cp.finished) {
    run.cp.finished = true;
    run.cp.weights = model.weights();
    run.cp.optimizer_state.clear();
    if (callbacks.on_checkpoint) callbacks.on_checkpoint(run.cp);
  } else {
    model.set_weights(run.cp.weights);
  }
  result.history = run.cp.history;
  result.seconds = run.cp.history.empty() ? run.elapsed() : run.cp.history.back().seconds;
  return result;
}

TrainResult train(QuantumClassifier& model, const Dataset& data, const Dataset* test, const TrainOptions& opt,
                  const std::function<void(const EpochMetrics&)>& on_epoch,
                  const std::function<void(unsigned, std::size_t, std::size_t)>& on_batch) {
  TrainCallbacks cb;
  cb.on_epoch = on_epoch;
  cb.on_batch = on_batch;
  return train(model, TrainSets{&data, nullptr, test}, opt, cb);
}

}  // namespace qnn
