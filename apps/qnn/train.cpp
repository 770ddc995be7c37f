// qnn train: fit the default QNN classifier to a data set and save it.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "progress.hpp"
#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/io/builtin_datasets.hpp"
#include "qnn/io/model_json.hpp"
#include "qnn/ml/optimizer.hpp"
#include "qnn/ml/trainer.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn::cli {

namespace {

struct TrainArgs {
  std::string data = "iris";
  unsigned qubits = 4;
  unsigned layers = 3;
  unsigned epochs = 40;
  unsigned batch = 16;
  double lr = 0.05;
  std::uint64_t seed = 7;
  double test_fraction = 0.2;
  std::string encoding = "Y";
  std::string precision = "double";
  std::string grad = "adjoint";
  std::uint64_t shots = 0;
  std::string optimizer = "adam";
  std::string metric = "block-diagonal";
  double qng_lambda = 0.01;
  unsigned epochs_per_layer = 0;
  std::string out = "qnn-run";
  bool quiet = false;
};

void run_train(const TrainArgs& a) {
  if (a.qubits > 30) {
    throw ResourceError("--qubits " + std::to_string(a.qubits) + ": a classifier state needs " +
                        std::to_string(StateVector<double>::bytes_needed(std::min(a.qubits, 63U))) +
                        " bytes per sample; at most 30 qubits are supported for training");
  }
  if (a.encoding.size() != 1) throw ValueError("--encoding must be X, Y or Z, got '" + a.encoding + "'");
  const std::filesystem::path out(a.out);

  const Dataset data = load_dataset(a.data);
  if (data.num_classes() < 2) throw ValueError(a.data + ": needs at least 2 classes, found " + std::to_string(data.num_classes()));
  const TrainTestSplit split = train_test_split(data, a.test_fraction, a.seed);

  ClassifierConfig cfg;
  cfg.qubits = a.qubits;
  cfg.layers = a.layers;
  cfg.num_features = static_cast<unsigned>(data.num_features());
  cfg.num_classes = static_cast<unsigned>(data.num_classes());
  cfg.encoding = parse_rotation_axis(a.encoding[0]);
  cfg.precision = a.precision == "single" ? Precision::Single : Precision::Double;
  QuantumClassifier model(cfg, a.seed);
  model.set_standardizer(Standardizer::fit(split.train));

  TrainOptions opt;
  opt.epochs = a.epochs;
  opt.batch_size = a.batch;
  opt.learning_rate = a.lr;
  opt.seed = a.seed;
  using GM = QuantumClassifier::GradientMethod;
  opt.gradient.method = a.grad == "parameter-shift" ? GM::ParameterShift
                        : a.grad == "spsa"           ? GM::Spsa
                        : a.grad == "finite-diff"    ? GM::FiniteDifference
                                                     : GM::Adjoint;
  opt.gradient.shots = a.shots;
  opt.optimizer = a.optimizer == "qng" ? OptimizerKind::Qng : OptimizerKind::Adam;
  opt.metric = a.metric == "full" ? MetricApproximation::Full : MetricApproximation::BlockDiagonal;
  opt.qng_regularisation = a.qng_lambda;
  opt.epochs_per_layer = a.epochs_per_layer;
  const unsigned epochs_total = total_epochs(opt, cfg);
  Adam check_lr(opt.learning_rate);  // reject a bad --lr before anything is written
  ensure_directory(out);              // fail before training, not after

  if (!a.quiet) {
    std::printf("qnn train: %s, %zu samples (%zu train / %zu test), %zu features, %zu classes\n", data.name.c_str(),
                data.num_samples(), split.train.num_samples(), split.test.num_samples(), data.num_features(),
                data.num_classes());
    char lambda[32];
    std::snprintf(lambda, sizeof lambda, "%g", a.qng_lambda);
    std::string optimiser = opt.optimizer == OptimizerKind::Qng
                                ? "quantum natural gradient (" + a.metric + " metric, lambda " + lambda +
                                      ") + Adam on the readout"
                                : std::string("Adam");
    if (epochs_total > opt.epochs) {
      optimiser += "; layer-wise: " + std::to_string(a.epochs_per_layer) + " epochs per new layer, then " +
                   std::to_string(opt.epochs) + " on all";
    }
    std::printf("model: %u qubits, angle encoding (R%c), %u strongly entangling layers, %zu weights; %s, lr %g, "
                "batch %u, seed %llu; %s gradients%s\n",
                cfg.qubits, static_cast<char>(cfg.encoding), cfg.layers, model.weights().size(), optimiser.c_str(),
                opt.learning_rate, opt.batch_size, static_cast<unsigned long long>(opt.seed), a.grad.c_str(),
                a.shots ? (", " + std::to_string(a.shots) + " shots").c_str() : "");
    if (epochs_total > opt.epochs) {
      std::printf("%6s %6s %10s %10s %10s %10s %8s\n", "epoch", "layers", "loss", "train_acc", "test_loss",
                  "test_acc", "seconds");
      std::fflush(stdout);
    }
    if (epochs_total == opt.epochs) {
      std::printf("%6s %10s %10s %10s %10s %8s\n", "epoch", "loss", "train_acc", "test_loss", "test_acc", "seconds");
      std::fflush(stdout);
    }
  }
  std::ostringstream metrics;
  metrics << "epoch,layers,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n";
  metrics.precision(10);
  ProgressBar bar;
  const TrainResult result = train(
      model, split.train, &split.test, opt,
      [&](const EpochMetrics& m) {
        bar.clear();
        metrics << m.epoch << ',' << m.layers << ',' << m.train_loss << ',' << m.train_accuracy << ',' << m.test_loss << ','
                << m.test_accuracy << ',' << m.seconds << '\n';
        if (!a.quiet && epochs_total > opt.epochs) {
          std::printf("%6u %6u %10.4f %10.4f %10.4f %10.4f %8.2f\n", m.epoch, m.layers, m.train_loss,
                      m.train_accuracy, m.test_loss, m.test_accuracy, m.seconds);
          std::fflush(stdout);
        } else if (!a.quiet) {
          std::printf("%6u %10.4f %10.4f %10.4f %10.4f %8.2f\n", m.epoch, m.train_loss, m.train_accuracy, m.test_loss,
                      m.test_accuracy, m.seconds);
          std::fflush(stdout);
        }
      },
      [&](unsigned epoch, std::size_t done, std::size_t total) {
        bar.draw("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs_total),
                 (double(epoch - 1) + double(done) / double(total)) / double(epochs_total));
      });
  bar.clear();

  const EpochMetrics& last = result.history.back();
  SavedModel saved{model, data.class_names, data.feature_names,
                   TrainingInfo{a.data, a.seed, a.test_fraction, a.epochs, a.batch, a.lr}};
  save_model(out / "model.json", saved);
  write_file_atomic(out / "metrics.csv", metrics.str());
  nlohmann::json summary = {{"data", a.data},
                            {"train_samples", split.train.num_samples()},
                            {"test_samples", split.test.num_samples()},
                            {"train_accuracy", last.train_accuracy},
                            {"test_accuracy", std::isnan(last.test_accuracy) ? nlohmann::json() : nlohmann::json(last.test_accuracy)},
                            {"loss", last.train_loss},
                            {"epochs", a.epochs},
                            {"seconds", result.seconds}};
  write_file_atomic(out / "summary.json", summary.dump(2) + "\n");

  std::printf("\nlearned: train accuracy %.4f, test accuracy %.4f (%zu test samples), loss %.4f, %.2f s\n",
              last.train_accuracy, last.test_accuracy, split.test.num_samples(), last.train_loss, result.seconds);
  std::printf("saved: %s, %s, %s\n", (out / "model.json").c_str(), (out / "summary.json").c_str(),
              (out / "metrics.csv").c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "train the default QNN classifier (angle encoding, strongly entangling "
                                              "layers, <Z> readout, softmax cross-entropy, Adam)");
  cmd->add_option("--data", args->data, "built-in data set (iris) or a CSV file (last column: label)")
      ->capture_default_str();
  cmd->add_option("--qubits", args->qubits, "qubits (≥ number of classes)")->capture_default_str();
  cmd->add_option("--layers", args->layers, "strongly entangling layers")->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "passes over the training set")->capture_default_str();
  cmd->add_option("--batch", args->batch, "mini-batch size")->capture_default_str();
  cmd->add_option("--lr", args->lr, "Adam learning rate")->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the split, the initial weights and the shuffles")->capture_default_str();
  cmd->add_option("--test-fraction", args->test_fraction, "fraction of each class held out for testing")
      ->capture_default_str();
  cmd->add_option("--encoding", args->encoding, "rotation axis of the angle encoding: X, Y or Z")->capture_default_str();
  cmd->add_option("--precision", args->precision, "precision of the simulated states: single or double")
      ->check(CLI::IsMember({"single", "double"}))
      ->capture_default_str();
  cmd->add_option("--grad", args->grad, "gradient method: adjoint, parameter-shift, spsa or finite-diff")
      ->check(CLI::IsMember({"adjoint", "parameter-shift", "spsa", "finite-diff"}))
      ->capture_default_str();
  cmd->add_option("--shots", args->shots, "measurement shots per circuit (0: exact expectations)")
      ->capture_default_str();
  cmd->add_option("--optimizer", args->optimizer,
                  "adam, or qng: quantum natural gradient on the circuit weights (Adam on the classical readout)")
      ->check(CLI::IsMember({"adam", "qng"}))
      ->capture_default_str();
  cmd->add_option("--metric", args->metric, "QNG metric tensor: block-diagonal or full")
      ->check(CLI::IsMember({"block-diagonal", "full"}))
      ->capture_default_str();
  cmd->add_option("--qng-lambda", args->qng_lambda, "QNG regularisation: steps solve (g + lambda I) d = gradient")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v <= 0) {
              return "must be a positive number, got '" + text + "'";
            }
            return {};
          },
          "POSITIVE"))
      ->capture_default_str();
  cmd->add_option("--epochs-per-layer", args->epochs_per_layer,
                  "layer-wise training: grow the circuit one layer at a time, training only the newest layer for N "
                  "epochs each, then all weights for --epochs (0: off)")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "directory for model.json, summary.json and metrics.csv")->capture_default_str();
  cmd->add_flag("--quiet", args->quiet, "print only the final result");
  cmd->callback([args] { run_train(*args); });
}

}  // namespace qnn::cli
