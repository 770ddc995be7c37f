// qnn train: fit the default QNN classifier to a data set and save it. The run is checkpointed after every epoch while
// that costs little (DIR/checkpoint.json); `qnn train --resume DIR` continues a killed run to the same weights, bit for
// bit.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "noise_options.hpp"
#include "progress.hpp"
#include "mpi_ranks.hpp"
#ifdef QNN_WITH_MPI
#include "qnn/mpi/data_parallel.hpp"
#endif
#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/io/builtin_datasets.hpp"
#include "qnn/io/checkpoint.hpp"
#include "qnn/io/model_json.hpp"
#include "qnn/io/svg_plot.hpp"
#include "qnn/ml/ansatz.hpp"
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
  double validation_fraction = 0;
  std::string encoding = "Y";
  unsigned encoding_reps = 0;
  bool reupload = false;
  std::string reupload_scaling = "none";
  std::string ansatz = "strong";
  std::string rotation = "ry";
  std::string readout = "z";
  std::string loss = "cross-entropy";
  std::string hidden;
  std::string head;
  unsigned pca = 0;
  std::string precision = "double";
  std::string grad = "adjoint";
  std::uint64_t shots = 0;
  std::string optimizer = "adam";
  std::string schedule = "constant";
  double lr_gamma = 0.5;
  unsigned lr_step = 10;
  std::string metric = "block-diagonal";
  double qng_lambda = 0.01;
  unsigned epochs_per_layer = 0;
  unsigned patience = 0;
  std::string out = "qnn-run";
  std::string resume;
  bool quiet = false;
  NoiseArgs noise;  // not a training option: a resumed noisy run is given the same --noise again
};

const char* gradient_name(QuantumClassifier::GradientMethod m) {
  using GM = QuantumClassifier::GradientMethod;
  return m == GM::ParameterShift ? "parameter-shift" : m == GM::Spsa ? "spsa" : m == GM::FiniteDifference ? "finite-diff"
                                                                                                          : "adjoint";
}

std::string metrics_csv(const std::vector<EpochMetrics>& history) {
  std::ostringstream s;
  s << "epoch,layers,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,"
       "test_accuracy,seconds\n";
  s.precision(10);
  for (const EpochMetrics& m : history) {
    s << m.epoch << ',' << m.layers << ',' << m.learning_rate << ',' << m.train_loss << ',' << m.train_accuracy << ','
      << m.validation_loss << ',' << m.validation_accuracy << ',' << m.test_loss << ',' << m.test_accuracy << ','
      << m.seconds << '\n';
  }
  return s.str();
}

// loss.svg and accuracy.svg: one series per data part over the epochs (validation only when there is one).
void write_curves(const std::filesystem::path& out, const std::vector<EpochMetrics>& history) {
  std::vector<double> epoch, tl, ta, vl, va, sl, sa;
  for (const EpochMetrics& m : history) {
    epoch.push_back(m.epoch);
    tl.push_back(m.train_loss);
    ta.push_back(m.train_accuracy);
    vl.push_back(m.validation_loss);
    va.push_back(m.validation_accuracy);
    sl.push_back(m.test_loss);
    sa.push_back(m.test_accuracy);
  }
  const bool has_validation = !history.empty() && std::isfinite(history.front().validation_loss);
  Chart loss{.title = "loss (softmax cross-entropy)", .x = {.label = "epoch"}, .y = {.label = "loss", .log = true}};
  loss.add("train", epoch, tl);
  if (has_validation) loss.add("validation", epoch, vl, true);
  loss.add("test", epoch, sl, true);
  Chart accuracy{.title = "accuracy", .x = {.label = "epoch"}, .y = {.label = "accuracy"}};
  accuracy.add("train", epoch, ta);
  if (has_validation) accuracy.add("validation", epoch, va, true);
  accuracy.add("test", epoch, sa, true);
  write_svg(out / "loss.svg", loss);
  write_svg(out / "accuracy.svg", accuracy);
}

// What a run needs besides the data: the model (architecture, initial weights, standardiser, names), the options, and
// where the training state stands (empty for a new run).
struct RunSetup {
  SavedCheckpoint saved;
  bool resumed = false;
};

// --readout: a kind, or Pauli sums separated by ';' ("Z0 Z1; X2").
ReadoutKind parse_readout_option(const std::string& text, std::vector<std::string>& pauli) {
  try {
    return parse_readout(text);
  } catch (const ValueError&) {
    if (text.find_first_of("XYZ") == std::string::npos || text.find_first_of("0123456789") == std::string::npos) throw;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    std::string item = text.substr(start, end - start);
    const auto a = item.find_first_not_of(' '), b = item.find_last_not_of(' ');
    item = a == std::string::npos ? std::string() : item.substr(a, b - a + 1);
    if (item.empty()) throw ValueError("--readout '" + text + "': an empty Pauli sum");
    (void)parse_pauli_sum(item);
    pauli.push_back(item);
    start = end + 1;
  }
  return ReadoutKind::Pauli;
}

RunSetup new_run(const TrainArgs& a, const Dataset& data, const TrainTestSplit& split) {
  if (a.qubits > 30) {
    throw ResourceError("--qubits " + std::to_string(a.qubits) + ": a classifier state needs " +
                        std::to_string(StateVector<double>::bytes_needed(std::min(a.qubits, 63U))) +
                        " bytes per sample; at most 30 qubits are supported for training");
  }
  ClassifierConfig cfg;
  cfg.qubits = a.qubits;
  cfg.layers = a.layers;
  cfg.num_features = static_cast<unsigned>(data.num_features());
  cfg.num_classes = static_cast<unsigned>(data.num_classes());
  cfg.precision = a.precision == "single" ? Precision::Single : Precision::Double;
  // X, Y or Z: the original angle encoding (extra features wrap around the qubits); otherwise an encoding name.
  if (a.encoding.size() == 1 && std::string_view("XYZxyz").find(a.encoding[0]) != std::string_view::npos) {
    cfg.encoding = parse_rotation_axis(a.encoding[0]);
  } else {
    (void)parse_encoding(a.encoding);
    cfg.encoding_name = a.encoding;
  }
  cfg.encoding_reps = a.encoding_reps;
  cfg.reupload = a.reupload;
  if (a.reupload_scaling != "none" && !a.reupload) {
    throw CLI::ValidationError("--reupload-scaling", "applies to --reupload only");
  }
  cfg.reupload_scaling = a.reupload_scaling == "scale"    ? ReuploadScaling::Scale
                         : a.reupload_scaling == "affine" ? ReuploadScaling::Affine
                                                          : ReuploadScaling::None;
  (void)make_ansatz(a.ansatz);
  cfg.ansatz = a.ansatz;
  cfg.rotation = parse_rotation_block(a.rotation);
  cfg.readout = parse_readout_option(a.readout, cfg.pauli_readout);
  cfg.loss = parse_loss(a.loss);
  cfg.hidden = parse_dense_layers(a.hidden);
  cfg.head = parse_dense_layers(a.head);
  cfg.pca_components = a.pca;
  if (a.pca > data.num_features()) {
    throw ValueError("--pca " + std::to_string(a.pca) + ": " + a.data + " has only " +
                     std::to_string(data.num_features()) + " features");
  }
  QuantumClassifier model(cfg, a.seed);
  const Standardizer st = Standardizer::fit(split.train);
  if (a.pca > 0) {
    // PCA of the standardised training features (the test part never shapes the model).
    Dataset standardised = split.train;
    st.transform_in_place(standardised);
    model.set_pca(Pca::fit(standardised, a.pca));
  }
  model.set_standardizer(st);

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
  opt.optimizer = a.optimizer;
  opt.schedule.kind = LearningRateSchedule::parse(a.schedule);
  opt.schedule.gamma = a.lr_gamma;
  opt.schedule.step_size = a.lr_step;
  opt.metric = a.metric == "full" ? MetricApproximation::Full : MetricApproximation::BlockDiagonal;
  opt.qng_regularisation = a.qng_lambda;
  opt.epochs_per_layer = a.epochs_per_layer;
  opt.patience = a.patience;
  opt.schedule.epochs = total_epochs(opt, cfg);

  SavedModel sm{std::move(model), data.class_names, data.feature_names,
                TrainingInfo{a.data, a.seed, a.test_fraction, a.epochs, a.batch, a.lr}};
  const double vf = a.patience > 0 && a.validation_fraction == 0 ? 0.2 : a.validation_fraction;
  return {SavedCheckpoint{std::move(sm), opt, {}, vf}, false};
}

void run_train(TrainArgs a, bool options_given) {
  std::optional<SavedCheckpoint> resumed;
  if (!a.resume.empty()) {
    if (options_given) {
      throw CLI::ValidationError("--resume", "takes every option from " + a.resume +
                                                 "/checkpoint.json; give no other training options");
    }
    resumed = load_checkpoint(std::filesystem::path(a.resume) / "checkpoint.json");
    a.data = resumed->model.training.data;
    a.seed = resumed->model.training.seed;
    a.test_fraction = resumed->model.training.test_fraction;
    a.out = a.resume;
  }
  const std::filesystem::path out(a.out);
  const Dataset data = load_dataset(a.data);
  if (data.num_classes() < 2) throw ValueError(a.data + ": needs at least 2 classes, found " + std::to_string(data.num_classes()));
  const TrainTestSplit split = train_test_split(data, a.test_fraction, a.seed);
  RunSetup setup = resumed ? RunSetup{std::move(*resumed), true} : new_run(a, data, split);
  SavedCheckpoint& saved = setup.saved;
  const TrainOptions& opt = saved.options;
  QuantumClassifier& model = saved.model.model;
  if (setup.resumed && (model.config().num_features != data.num_features() ||
                        saved.model.class_names != data.class_names)) {
    throw ValueError(a.resume + "/checkpoint.json: the data set '" + a.data + "' no longer matches the checkpoint");
  }
  // Early stopping watches a validation part of the training split (the test part never steers training).
  TrainTestSplit tv;
  const Dataset* train_set = &split.train;
  const Dataset* validation = nullptr;
  if (saved.validation_fraction > 0) {
    tv = train_test_split(split.train, saved.validation_fraction, a.seed + 1);
    train_set = &tv.train;
    validation = &tv.test;
  }
  if (!a.noise.noise.empty() &&
      (opt.gradient.method != QuantumClassifier::GradientMethod::Adjoint || opt.gradient.shots != 0)) {
    throw ValueError("--noise trains with --grad adjoint (reverse mode through the density matrix) and exact "
                     "expectations (no --shots)");
  }
  const std::string noise_line = use_noise(model, a.noise);
  ensure_directory(out);  // fail before training, not after
  remove_stale_temporaries(out);  // a killed run's half-written files (the finished ones are kept)
  const ClassifierConfig& cfg = model.config();
  const unsigned epochs_total = total_epochs(opt, cfg);

  if (!a.quiet) {
    std::printf("qnn train: %s, %zu samples (%zu train%s / %zu test), %zu features, %zu classes\n", data.name.c_str(),
                data.num_samples(), train_set->num_samples(),
                validation ? (" / " + std::to_string(validation->num_samples()) + " validation").c_str() : "",
                split.test.num_samples(), data.num_features(), data.num_classes());
    char lambda[32];
    std::snprintf(lambda, sizeof lambda, "%g", opt.qng_regularisation);
    std::string optimiser = opt.optimizer == "qng"
                                ? std::string("quantum natural gradient (") +
                                      (opt.metric == MetricApproximation::Full ? "full" : "block-diagonal") +
                                      " metric, lambda " + lambda + ") + Adam on the readout"
                                : opt.optimizer;
    if (epochs_total > opt.epochs) {
      optimiser += "; layer-wise: " + std::to_string(opt.epochs_per_layer) + " epochs per new layer, then " +
                   std::to_string(opt.epochs) + " on all";
    }
    if (opt.patience > 0) optimiser += "; early stopping after " + std::to_string(opt.patience) + " epochs";
    std::printf("model: %s, %zu weights; %s, lr %g, batch %u, seed %llu; %s gradients%s\n", model.describe().c_str(),
                model.weights().size(), optimiser.c_str(),
                opt.learning_rate, opt.batch_size, static_cast<unsigned long long>(opt.seed),
                gradient_name(opt.gradient.method),
                opt.gradient.shots ? (", " + std::to_string(opt.gradient.shots) + " shots").c_str() : "");
    if (!noise_line.empty()) std::printf("%s\n", noise_line.c_str());
    const LightCone& cone = model.light_cone();
    if (noise_line.empty() && cone.dropped(model.circuit()) > 0) {
      // What the readout cannot see is never simulated; say so, with the weights that cannot matter.
      std::printf("light cone: %zu of %zu gates simulated (%zu folded into the readout)", cone.kept.size(),
                  model.circuit().size(), cone.folded);
      if (!cone.idle_weights.empty())
        std::printf("; %zu circuit weights cannot change the readout (gradient 0)", cone.idle_weights.size());
      std::printf("\n");
    }
    if (setup.resumed) {
      std::printf("resuming %s after epoch %u of %u\n", (out / "checkpoint.json").c_str(), saved.state.epochs_done,
                  epochs_total);
    }
    std::printf("%6s %6s %10s %10s %10s %10s %8s\n", "epoch", "layers", "loss", "train_acc", "test_loss", "test_acc",
                "seconds");
    std::fflush(stdout);
  }
  ProgressBar bar;
  TrainCallbacks cb;
  cb.on_epoch = [&](const EpochMetrics& m) {
    bar.clear();
    if (!a.quiet) {
      std::printf("%6u %6u %10.4f %10.4f %10.4f %10.4f %8.2f\n", m.epoch, m.layers, m.train_loss, m.train_accuracy,
                  m.test_loss, m.test_accuracy, m.seconds);
      std::fflush(stdout);
    }
  };
  cb.on_batch = [&](unsigned epoch, std::size_t done, std::size_t total) {
    bar.draw("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs_total),
             (double(epoch - 1) + double(done) / double(total)) / double(epochs_total));
  };
  // Checkpoint and metrics after every epoch, each written atomically: a run killed at any moment leaves a complete
  // epoch on disk. Both files hold the whole history, so each write grows with the epochs (a 1000-epoch run of the
  // default model took 12.5 s writing every one, 1.3 s with what follows). Writes are kept to at most a tenth of the
  // run: an epoch is skipped while less than nine times the last write's duration has passed since it ended (a
  // resumed run replays the epochs after the checkpoint to the same weights); the last epoch is always written.
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_write_end{};
  double last_write_seconds = 0;
  cb.on_checkpoint = [&](const TrainCheckpoint& cp) {
    if (!is_root_rank()) return;  // under mpirun rank 0 writes (every rank holds the same weights)
    saved.state = cp;
    const auto start = Clock::now();
    if (!cp.finished && std::chrono::duration<double>(start - last_write_end).count() < 9 * last_write_seconds) return;
    const Durability d = cp.finished ? Durability::PowerLoss : Durability::Process;
    save_checkpoint(out / "checkpoint.json", saved, d);
    write_file_atomic(out / "metrics.csv", metrics_csv(cp.history), d);
    last_write_end = Clock::now();
    last_write_seconds = std::chrono::duration<double>(last_write_end - start).count();
  };
  const TrainCheckpoint resume_from = saved.state;
#ifdef QNN_WITH_MPI
  // Under mpirun each rank computes its block of every mini-batch (qnn/ml/trainer.hpp DataParallel).
  TrainOptions run_opt = opt;
  run_opt.data_parallel = mpi::data_parallel();
#else
  const TrainOptions& run_opt = opt;
#endif
  const TrainResult result =
      train(model, TrainSets{train_set, validation, &split.test}, run_opt, cb, setup.resumed ? &resume_from : nullptr);
  bar.clear();

  const EpochMetrics& last = result.history.back();
  // The model's final score (early stopping may have restored an earlier epoch's weights).
  const auto final_train = model.evaluate(*train_set);
  const auto final_test = model.evaluate(split.test);
  if (!is_root_rank()) return;
  save_model(out / "model.json", saved.model);
  write_file_atomic(out / "metrics.csv", metrics_csv(result.history));
  write_curves(out, result.history);
  nlohmann::json summary = {{"data", a.data},
                            {"train_samples", train_set->num_samples()},
                            {"test_samples", split.test.num_samples()},
                            {"train_accuracy", final_train.accuracy},
                            {"test_accuracy", split.test.num_samples() ? nlohmann::json(final_test.accuracy)
                                                                       : nlohmann::json()},
                            {"loss", final_train.loss},
                            {"epochs", last.epoch},
                            {"stopped_early", result.stopped_early},
                            {"seconds", result.seconds}};
  if (result.best_epoch > 0) summary["best_epoch"] = result.best_epoch;
  write_file_atomic(out / "summary.json", summary.dump(2) + "\n");

  if (result.stopped_early) {
    std::printf("\nstopped early after epoch %u; kept the weights of epoch %u (best validation loss)\n", last.epoch,
                result.best_epoch);
  }
  std::printf("\nlearned: train accuracy %.4f, test accuracy %.4f (%zu test samples), loss %.4f, %.2f s\n",
              final_train.accuracy, final_test.accuracy, split.test.num_samples(), final_train.loss, result.seconds);
  std::printf("saved: %s, %s, %s (loss.svg, accuracy.svg), %s\n", (out / "model.json").c_str(),
              (out / "summary.json").c_str(), (out / "metrics.csv").c_str(), (out / "checkpoint.json").c_str());
}

// "must be a positive number" for a double option, without CLI11's range text.
CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v <= 0) {
          return "must be a positive number, got '" + text + "'";
        }
        return {};
      },
      "POSITIVE");
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "train a QNN classifier (default: angle encoding, strongly entangling "
                                              "layers, <Z> readout, softmax cross-entropy); resumable");
  std::vector<CLI::Option*> training;  // options --resume replaces by the checkpoint's
  training.push_back(cmd->add_option("--data", args->data, "built-in data set (iris) or a CSV file (last column: label)")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--qubits", args->qubits, "qubits (≥ number of classes)")->capture_default_str());
  training.push_back(cmd->add_option("--layers", args->layers, "strongly entangling layers")->capture_default_str());
  training.push_back(cmd->add_option("--epochs", args->epochs, "passes over the training set")->capture_default_str());
  training.push_back(cmd->add_option("--batch", args->batch, "mini-batch size")->capture_default_str());
  training.push_back(cmd->add_option("--lr", args->lr, "learning rate")->capture_default_str());
  training.push_back(cmd->add_option("--seed", args->seed, "seed of the split, the initial weights and the shuffles")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--test-fraction", args->test_fraction,
                                     "fraction of each class held out for testing")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--validation-fraction", args->validation_fraction,
                                     "fraction of the training part held out for validation (early stopping; "
                                     "0.2 when --patience is given without it)")
                         ->check(CLI::Range(0.0, 0.9))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--encoding", args->encoding,
                                     "X, Y or Z: angle encoding about that axis (extra features wrap around the "
                                     "qubits); or angle-x|y|z, dense, basis, zz, iqp (these hold only their capacity: "
                                     "use --pca or --hidden for wider data)")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--encoding-reps", args->encoding_reps,
                                     "repetitions of the encoding block (0: 2 for zz, 1 otherwise)")
                         ->capture_default_str());
  training.push_back(cmd->add_flag("--reupload", args->reupload,
                                   "data re-uploading: --layers times (encoding block, one ansatz layer)"));
  training.push_back(cmd->add_option("--reupload-scaling", args->reupload_scaling,
                                     "re-uploaded features as x (none), w*x (scale) or w*x + b (affine), w and b "
                                     "trainable per block")
                         ->check(CLI::IsMember({"none", "scale", "affine"}))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--ansatz", args->ansatz, "basic, strong, hea-linear, hea-ring, hea-full, qcnn, ttn")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--rotation", args->rotation, "rotation block of hea-* and ttn: ry, ry-rz, u3")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--readout", args->readout,
                                     "z (<Z_k> on qubit k for class k), z-all (<Z_q> on every qubit, for --head), "
                                     "probabilities (P(class k) = P(basis state k) of the first ceil(log2 C) "
                                     "qubits), parity (2 classes), or Pauli sums "
                                     "separated by ';' (\"Z0 Z1; X2\"), one value each")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--loss", args->loss, "cross-entropy, mse (one-hot targets), mse-pm1 (+-1 "
                                                            "targets), hinge (multi-class margin), fidelity (with "
                                                            "--readout probabilities: 1 - |<k|psi>|^2)")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--hidden", args->hidden,
                                     "classical dense layers before the circuit, UNITS:ACTIVATION comma-separated "
                                     "(\"16:relu,4:tanh\"; activations linear, relu, tanh, sigmoid, softmax); the last "
                                     "layer's units are the circuit's inputs"));
  training.push_back(cmd->add_option("--head", args->head,
                                     "classical dense layers after the readout (\"8:tanh\"); a linear layer to the "
                                     "classes follows. Without it: logit_k = s_k <O_k> + b_k"));
  training.push_back(cmd->add_option("--pca", args->pca,
                                     "reduce the standardised features to their K principal components (whitened), "
                                     "fitted on the training part (0: off)")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--precision", args->precision, "precision of the simulated states: single or double")
                         ->check(CLI::IsMember({"single", "double"}))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--grad", args->grad, "gradient method: adjoint, parameter-shift, spsa or finite-diff")
                         ->check(CLI::IsMember({"adjoint", "parameter-shift", "spsa", "finite-diff"}))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--shots", args->shots, "measurement shots per circuit (0: exact expectations)")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--optimizer", args->optimizer,
                                     "sgd, momentum, nesterov, adam, adamw, rmsprop; qng (quantum natural gradient on "
                                     "the circuit, Adam on the readout); lbfgs (full batch, one iteration per epoch)")
                         ->check(CLI::IsMember({"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "qng",
                                                "lbfgs"}))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--schedule", args->schedule,
                                     "learning-rate schedule: constant, step (x gamma every --lr-step epochs), "
                                     "exponential (x gamma per epoch) or cosine (to 0 over the run)")
                         ->check(CLI::IsMember({"constant", "step", "exponential", "cosine"}))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--lr-gamma", args->lr_gamma, "decay factor of the step and exponential schedules")
                         ->check(positive_number())
                         ->capture_default_str());
  training.push_back(cmd->add_option("--lr-step", args->lr_step, "epochs per step of the step schedule")
                         ->check(CLI::Range(1U, 1000000U))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--metric", args->metric, "QNG metric tensor: block-diagonal or full")
                         ->check(CLI::IsMember({"block-diagonal", "full"}))
                         ->capture_default_str());
  training.push_back(cmd->add_option("--qng-lambda", args->qng_lambda,
                                     "QNG regularisation: steps solve (g + lambda I) d = gradient")
                         ->check(positive_number())
                         ->capture_default_str());
  training.push_back(cmd->add_option("--epochs-per-layer", args->epochs_per_layer,
                                     "layer-wise training: grow the circuit one layer at a time, training only the "
                                     "newest layer for N epochs each, then all weights for --epochs (0: off)")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--patience", args->patience,
                                     "early stopping: stop after N epochs without a better validation loss and keep "
                                     "the best epoch's weights (0: off)")
                         ->capture_default_str());
  training.push_back(cmd->add_option("--out", args->out,
                                     "directory for model.json, summary.json, metrics.csv and checkpoint.json")
                         ->capture_default_str());
  cmd->add_option("--resume", args->resume,
                  "continue the run in DIR from DIR/checkpoint.json (same options, same final weights as an "
                  "uninterrupted run)");
  cmd->add_flag("--quiet", args->quiet, "print only the final result");
  add_noise_options(cmd, args->noise);
  cmd->callback([args, training] {
    bool given = false;
    for (const CLI::Option* o : training) given = given || o->count() > 0;
    run_train(*args, given);
  });
}

}  // namespace qnn::cli
