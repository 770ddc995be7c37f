#include "qnn/ml/trainer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/io/builtin_datasets.hpp"

namespace qnn {
namespace {

// The `qnn train` defaults: Iris, test fraction 0.2, seed 7, standardiser fitted on the training part, 4 qubits,
// 3 layers, Y encoding, 40 epochs, batch 16, learning rate 0.05.
struct IrisRun {
  TrainTestSplit split;
  QuantumClassifier model;
};

IrisRun iris_setup() {
  const Dataset iris = builtin_dataset("iris");
  TrainTestSplit split = train_test_split(iris, 0.2, 7);
  QuantumClassifier model({.qubits = 4, .layers = 3, .num_features = 4, .num_classes = 3}, 7);
  model.set_standardizer(Standardizer::fit(split.train));
  return {std::move(split), std::move(model)};
}

TrainOptions cli_defaults() {
  TrainOptions opt;
  opt.epochs = 40;
  opt.batch_size = 16;
  opt.learning_rate = 0.05;
  opt.seed = 7;
  return opt;
}

// Bit-level equality (EXPECT_EQ on doubles would also accept −0 == +0).
bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Trainer, LearnsIrisWithCliDefaults) {
  IrisRun run = iris_setup();
  ASSERT_EQ(run.split.train.num_samples(), 120u);
  ASSERT_EQ(run.split.test.num_samples(), 30u);
  const auto before = run.model.evaluate(run.split.train);
  std::vector<unsigned> epochs_seen;
  std::size_t batch_calls = 0;
  const TrainOptions opt = cli_defaults();
  const TrainResult r = train(
      run.model, run.split.train, &run.split.test, opt, [&](const EpochMetrics& m) { epochs_seen.push_back(m.epoch); },
      [&](unsigned, std::size_t done, std::size_t total) {
        ++batch_calls;
        EXPECT_EQ(total, 8u);  // ⌈120 / 16⌉
        EXPECT_GE(done, 1u);
        EXPECT_LE(done, total);
      });
  ASSERT_EQ(r.history.size(), 40u);
  EXPECT_EQ(epochs_seen.size(), 40u);
  EXPECT_EQ(epochs_seen.front(), 1u);
  EXPECT_EQ(epochs_seen.back(), 40u);
  EXPECT_EQ(batch_calls, 40u * 8u);

  const EpochMetrics& last = r.history.back();
  EXPECT_GE(last.test_accuracy, 0.9) << "test loss " << last.test_loss;
  EXPECT_GE(last.train_accuracy, 0.9);
  // The loss decreases: well below the untrained model and the first epoch, and finite everywhere.
  EXPECT_LT(last.train_loss, 0.7 * before.loss);
  EXPECT_LT(last.train_loss, r.history.front().train_loss);
  EXPECT_LT(r.history[29].train_loss, r.history[4].train_loss);
  for (const auto& m : r.history) {
    EXPECT_TRUE(std::isfinite(m.train_loss));
    EXPECT_TRUE(std::isfinite(m.test_loss));
  }
  // The reported metrics are those of the final weights.
  const auto test_score = run.model.evaluate(run.split.test);
  EXPECT_EQ(test_score.accuracy, last.test_accuracy);
  EXPECT_EQ(test_score.loss, last.test_loss);
  EXPECT_GT(r.seconds, 0.0);
  EXPECT_LE(r.history.back().seconds, r.seconds);
}

TEST(Trainer, WithoutTestSetReportsNaN) {
  IrisRun run = iris_setup();
  TrainOptions opt = cli_defaults();
  opt.epochs = 1;
  const TrainResult r = train(run.model, run.split.train, nullptr, opt);
  ASSERT_EQ(r.history.size(), 1u);
  EXPECT_TRUE(std::isnan(r.history[0].test_accuracy));
  EXPECT_TRUE(std::isfinite(r.history[0].train_loss));
}

TEST(Trainer, SameSeedGivesBitIdenticalWeights) {
  TrainOptions opt = cli_defaults();
  opt.epochs = 3;
  IrisRun a = iris_setup(), b = iris_setup();
  const std::vector<double> initial = a.model.weights();
  train(a.model, a.split.train, &a.split.test, opt);
  train(b.model, b.split.train, &b.split.test, opt);
  EXPECT_FALSE(bit_identical(a.model.weights(), initial)) << "training did not change the weights";
  EXPECT_TRUE(bit_identical(a.model.weights(), b.model.weights()));

  // Another shuffle seed takes another path.
  IrisRun c = iris_setup();
  opt.seed = 8;
  train(c.model, c.split.train, &c.split.test, opt);
  EXPECT_FALSE(bit_identical(a.model.weights(), c.model.weights()));
}

TEST(Trainer, WeightsDoNotDependOnThreadCount) {
  const int saved = num_threads();
  TrainOptions opt = cli_defaults();
  opt.epochs = 3;
  set_num_threads(1);
  IrisRun one = iris_setup();
  train(one.model, one.split.train, &one.split.test, opt);
  set_num_threads(2);
  IrisRun two = iris_setup();
  train(two.model, two.split.train, &two.split.test, opt);
  set_num_threads(3);  // batches of 16 over 3 threads: uneven split of samples
  IrisRun three = iris_setup();
  train(three.model, three.split.train, &three.split.test, opt);
  set_num_threads(saved);
  EXPECT_TRUE(bit_identical(one.model.weights(), two.model.weights()));
  EXPECT_TRUE(bit_identical(one.model.weights(), three.model.weights()));
}

TEST(Trainer, WeightsDoNotDependOnThreadCountForALargerModel) {
  // Iris' 4-qubit circuits are so small that the trainer may keep them on one thread; 8 qubits and batches of 64 (two
  // chunks of 32) are big enough to be split across threads, so this run really exercises the parallel summation order.
  Dataset d;
  d.class_names = {"a", "b", "c"};
  Rng rng(21);
  for (int i = 0; i < 64; ++i) {
    std::vector<double> x(8);
    for (double& v : x) v = rng.uniform(-1.5, 1.5);
    d.features.push_back(x);
    d.labels.push_back(i % 3);
  }
  for (int j = 0; j < 8; ++j) d.feature_names.push_back("x" + std::to_string(j));
  TrainOptions opt;
  opt.epochs = 2;
  opt.batch_size = 64;
  opt.learning_rate = 0.05;
  opt.seed = 3;
  const ClassifierConfig cfg{.qubits = 8, .layers = 2, .num_features = 8, .num_classes = 3};
  const int saved = num_threads();
  std::vector<std::vector<double>> weights;
  std::vector<double> losses;
  for (int threads : {1, 2, 4}) {
    set_num_threads(threads);
    QuantumClassifier m(cfg, 5);
    const TrainResult r = train(m, d, nullptr, opt);
    weights.push_back(m.weights());
    losses.push_back(r.history.back().train_loss);
  }
  set_num_threads(saved);
  EXPECT_TRUE(bit_identical(weights[0], weights[1]));
  EXPECT_TRUE(bit_identical(weights[0], weights[2]));
  EXPECT_EQ(losses[0], losses[1]);
  EXPECT_EQ(losses[0], losses[2]);
}

// Layer-wise training grows the circuit one layer at a time (the epochs report 1, 2, 3 layers, then the full model),
// freezes the earlier layers while a new one trains, and still learns Iris.
TEST(Trainer, LayerwiseScheduleGrowsTheCircuitAndLearnsIris) {
  IrisRun run = iris_setup();
  TrainOptions opt = cli_defaults();
  opt.epochs = 15;
  opt.epochs_per_layer = 5;
  ASSERT_EQ(total_epochs(opt, run.model.config()), 30U);
  const std::vector<double> initial = run.model.weights();
  std::vector<unsigned> layers;
  const TrainResult r = train(run.model, run.split.train, &run.split.test, opt,
                              [&](const EpochMetrics& m) { layers.push_back(m.layers); });
  ASSERT_EQ(r.history.size(), 30U);
  for (unsigned e = 0; e < 30; ++e) {
    EXPECT_EQ(r.history[e].epoch, e + 1);
    EXPECT_EQ(layers[e], e < 15 ? e / 5 + 1 : 3U) << "epoch " << e + 1;
  }
  EXPECT_GE(r.history.back().test_accuracy, 0.85);
  // Frozen weights (here layers 1 and 2, as while layer 0 grows) keep their values exactly.
  IrisRun first = iris_setup();
  std::vector<bool> mask(first.model.weights().size(), true);
  const auto [l1, l2end] = std::pair{first.model.layer_weights(1).first, first.model.layer_weights(2).second};
  for (unsigned i = l1; i < l2end; ++i) mask[i] = false;
  first.model.set_trainable(mask);
  TrainOptions frozen = cli_defaults();
  frozen.epochs = 3;
  train(first.model, first.split.train, nullptr, frozen);
  for (unsigned i = l1; i < l2end; ++i) EXPECT_EQ(first.model.weights()[i], initial[i]) << i;
  EXPECT_NE(first.model.weights()[0], initial[0]);
}

// Quantum natural gradient on the circuit weights (block-diagonal and full metric) learns Iris too.
TEST(Trainer, QuantumNaturalGradientLearnsIris) {
  for (MetricApproximation approx : {MetricApproximation::BlockDiagonal, MetricApproximation::Full}) {
    IrisRun run = iris_setup();
    TrainOptions opt = cli_defaults();
    opt.optimizer = "qng";
    opt.metric = approx;
    opt.epochs = 8;
    opt.qng_metric_samples = 2;
    const TrainResult r = train(run.model, run.split.train, &run.split.test, opt);
    EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
    EXPECT_GE(r.history.back().test_accuracy, 0.85) << "metric " << int(approx);
  }
  IrisRun run = iris_setup();
  TrainOptions bad = cli_defaults();
  bad.optimizer = "qng";
  bad.qng_regularisation = 0;
  EXPECT_THROW(train(run.model, run.split.train, nullptr, bad), ValueError);
}

struct Killed {};

// A run killed after epoch k (an exception from the checkpoint callback stands in for the kill) and resumed from the
// last checkpoint, with a freshly built model, ends with the same weights and history as the uninterrupted run, bit for
// bit: for plain Adam, momentum with a step schedule, layer-wise growth with QNG (killed inside a growth phase and at a
// phase boundary), and the hardware-style parameter-shift gradient with shots.
TEST(Trainer, ResumeFromCheckpointIsBitIdentical) {
  struct Case {
    const char* name;
    TrainOptions opt;
    unsigned kill_after;
  };
  std::vector<Case> cases;
  TrainOptions adam = cli_defaults();
  adam.epochs = 6;
  cases.push_back({"adam", adam, 3});
  TrainOptions momentum = adam;
  momentum.optimizer = "momentum";
  momentum.learning_rate = 0.1;
  momentum.schedule.kind = LearningRateSchedule::Kind::Step;
  momentum.schedule.step_size = 2;
  cases.push_back({"momentum+step", momentum, 4});
  TrainOptions grow = adam;
  grow.optimizer = "qng";
  grow.epochs = 2;
  grow.epochs_per_layer = 2;
  grow.qng_metric_samples = 1;
  cases.push_back({"layerwise+qng inside a phase", grow, 3});
  cases.push_back({"layerwise+qng at a phase boundary", grow, 4});
  TrainOptions shots = adam;
  shots.epochs = 2;
  shots.batch_size = 60;
  shots.gradient = {QuantumClassifier::GradientMethod::ParameterShift, 200, 0.05};
  cases.push_back({"parameter-shift with shots", shots, 1});
  for (const Case& c : cases) {
    IrisRun whole = iris_setup();
    const TrainResult full = train(whole.model, TrainSets{&whole.split.train, nullptr, &whole.split.test}, c.opt);

    IrisRun killed = iris_setup();
    TrainCheckpoint saved;
    TrainCallbacks cb;
    cb.on_checkpoint = [&](const TrainCheckpoint& cp) {
      saved = cp;
      if (cp.epochs_done == c.kill_after) throw Killed{};
    };
    EXPECT_THROW(train(killed.model, TrainSets{&killed.split.train, nullptr, &killed.split.test}, c.opt, cb), Killed)
        << c.name;
    ASSERT_EQ(saved.epochs_done, c.kill_after) << c.name;

    IrisRun resumed = iris_setup();
    const TrainResult rest =
        train(resumed.model, TrainSets{&resumed.split.train, nullptr, &resumed.split.test}, c.opt, {}, &saved);
    EXPECT_TRUE(bit_identical(resumed.model.weights(), whole.model.weights())) << c.name;
    ASSERT_EQ(rest.history.size(), full.history.size()) << c.name;
    for (std::size_t e = 0; e < full.history.size(); ++e) {
      EXPECT_EQ(rest.history[e].train_loss, full.history[e].train_loss) << c.name << " epoch " << e + 1;
      EXPECT_EQ(rest.history[e].layers, full.history[e].layers) << c.name << " epoch " << e + 1;
    }
  }
}

TEST(Trainer, ResumeRejectsACheckpointOfAnotherRun) {
  IrisRun run = iris_setup();
  TrainOptions opt = cli_defaults();
  opt.epochs = 2;
  TrainCheckpoint cp;
  TrainCallbacks cb;
  cb.on_checkpoint = [&](const TrainCheckpoint& c) { cp = c; };
  train(run.model, TrainSets{&run.split.train, nullptr, nullptr}, opt, cb);
  EXPECT_TRUE(cp.finished);
  TrainCheckpoint bad = cp;
  bad.weights.pop_back();
  EXPECT_THROW(train(run.model, TrainSets{&run.split.train, nullptr, nullptr}, opt, {}, &bad), ValueError);
  bad = cp;
  bad.order[0] = bad.order[1];
  EXPECT_THROW(train(run.model, TrainSets{&run.split.train, nullptr, nullptr}, opt, {}, &bad), ValueError);
  bad = cp;
  bad.order.pop_back();
  EXPECT_THROW(train(run.model, TrainSets{&run.split.train, nullptr, nullptr}, opt, {}, &bad), ValueError);
  // A finished checkpoint resumes to the same weights without training.
  IrisRun again = iris_setup();
  const TrainResult r = train(again.model, TrainSets{&again.split.train, nullptr, nullptr}, opt, {}, &cp);
  EXPECT_EQ(r.history.size(), 2U);
  EXPECT_TRUE(bit_identical(again.model.weights(), run.model.weights()));
}

// Early stopping watches the validation loss of the final phase and ends with the best epoch's weights.
TEST(Trainer, EarlyStoppingKeepsTheBestValidationEpoch) {
  IrisRun run = iris_setup();
  const TrainTestSplit tv = train_test_split(run.split.train, 0.25, 11);
  TrainOptions opt = cli_defaults();
  opt.epochs = 60;
  opt.learning_rate = 0.2;  // large steps: the validation loss stops improving early
  opt.patience = 3;
  const TrainResult r = train(run.model, TrainSets{&tv.train, &tv.test, &run.split.test}, opt);
  ASSERT_GT(r.best_epoch, 0U);
  double best = 1e300;
  unsigned best_epoch = 0;
  for (const EpochMetrics& m : r.history) {
    ASSERT_TRUE(std::isfinite(m.validation_loss));
    if (m.validation_loss < best) {
      best = m.validation_loss;
      best_epoch = m.epoch;
    }
  }
  EXPECT_EQ(r.best_epoch, best_epoch);
  EXPECT_EQ(run.model.evaluate(tv.test).loss, best);  // the model holds the best epoch's weights
  if (r.stopped_early) {
    EXPECT_EQ(r.history.size(), best_epoch + 3U);
  } else {
    EXPECT_EQ(r.history.size(), 60U);
  }
  TrainOptions no_validation = opt;
  EXPECT_THROW(train(run.model, TrainSets{&tv.train, nullptr, nullptr}, no_validation), ValueError);
}

// L-BFGS trains on the full batch, one iteration per epoch.
TEST(Trainer, LbfgsFullBatchLearnsIris) {
  IrisRun run = iris_setup();
  TrainOptions opt = cli_defaults();
  opt.optimizer = "lbfgs";
  opt.epochs = 30;
  const TrainResult r = train(run.model, run.split.train, &run.split.test, opt);
  ASSERT_FALSE(r.history.empty());
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  EXPECT_GE(r.history.back().test_accuracy, 0.9);
}

TEST(Trainer, InvalidOptionsThrow) {
  IrisRun run = iris_setup();
  const std::vector<double> initial = run.model.weights();
  TrainOptions opt = cli_defaults();
  opt.epochs = 0;
  EXPECT_THROW(train(run.model, run.split.train, nullptr, opt), ValueError);
  opt = cli_defaults();
  opt.batch_size = 0;
  EXPECT_THROW(train(run.model, run.split.train, nullptr, opt), ValueError);
  opt = cli_defaults();
  opt.learning_rate = -1;
  EXPECT_THROW(train(run.model, run.split.train, nullptr, opt), ValueError);
  opt = cli_defaults();
  EXPECT_THROW(train(run.model, Dataset{}, nullptr, opt), ValueError);  // empty training set
  Dataset wrong = run.split.train;
  for (auto& row : wrong.features) row.pop_back();
  wrong.feature_names.pop_back();
  EXPECT_THROW(train(run.model, wrong, nullptr, opt), ValueError);  // feature count mismatch
  EXPECT_EQ(run.model.weights(), initial);  // nothing was trained by a rejected call
}

TEST(Trainer, DivergenceIsReported) {
  // A learning rate of 1e308 overflows the weights within a few steps; training must stop with a ValueError rather than
  // carry on with (or return) non-finite weights.
  IrisRun run = iris_setup();
  TrainOptions opt = cli_defaults();
  opt.epochs = 2;
  opt.learning_rate = 1e308;
  EXPECT_THROW(train(run.model, run.split.train, nullptr, opt), ValueError);
}

}  // namespace
}  // namespace qnn
