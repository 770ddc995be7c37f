// qnn eval: reload a saved model and measure it on data, reproducing the training run's test split.
#include <cstdio>

#include "commands.hpp"
#include "noise_options.hpp"
#include "qnn/core/error.hpp"
#include "qnn/io/builtin_datasets.hpp"
#include "qnn/io/model_json.hpp"

namespace qnn::cli {

namespace {

struct EvalArgs {
  std::string model;
  std::string data;  // default: the data the model was trained on
  std::uint64_t shots = 0;  // 0: exact readout
  std::uint64_t seed = 1;
  NoiseArgs noise;
};

void run_eval(const EvalArgs& a) {
  if (a.noise.noise.empty() && a.noise.mitigate != "none") {
    throw CLI::ValidationError("--mitigate", "needs --noise MODEL (nothing to mitigate)");
  }
  if (a.shots > 0 && !a.noise.noise.empty()) {
    throw CLI::ValidationError("--shots", "cannot be combined with --noise (the noisy readout is exact on the density "
                                          "matrix)");
  }
  SavedModel saved = load_model(a.model);
  const std::string noise_line = use_noise(saved.model, a.noise);
  const std::string source = a.data.empty() ? saved.training.data : a.data;
  if (source.empty()) throw ValueError(a.model + ": the model does not record its data set; pass --data");
  const Dataset data = load_dataset(source);
  const ClassifierConfig& c = saved.model.config();
  if (data.num_features() != c.num_features) {
    throw ValueError(source + " has " + std::to_string(data.num_features()) + " features, the model expects " +
                     std::to_string(c.num_features));
  }
  if (data.num_classes() > c.num_classes) {
    throw ValueError(source + " has " + std::to_string(data.num_classes()) + " classes, the model knows " +
                     std::to_string(c.num_classes));
  }
  std::printf("model: %s (%s, %zu weights)\n", a.model.c_str(), saved.model.describe().c_str(),
              saved.model.weights().size());
  if (a.shots > 0) {
    std::printf("readout: each observable estimated from %llu shots (seed %llu)\n",
                static_cast<unsigned long long>(a.shots), static_cast<unsigned long long>(a.seed));
  }
  if (!noise_line.empty()) std::printf("%s\n", noise_line.c_str());
  const auto all = saved.model.evaluate(data, a.shots, a.seed);
  if (source == saved.training.data) {
    const TrainTestSplit split = train_test_split(data, saved.training.test_fraction, saved.training.seed);
    const auto test = saved.model.evaluate(split.test, a.shots, a.seed);
    const auto tr = saved.model.evaluate(split.train, a.shots, a.seed);
    std::printf("data: %s, split of training (seed %llu, test fraction %g)\n", source.c_str(),
                static_cast<unsigned long long>(saved.training.seed), saved.training.test_fraction);
    std::printf("train accuracy %.4f (%zu samples), loss %.4f\n", tr.accuracy, split.train.num_samples(), tr.loss);
    std::printf("test accuracy %.4f (%zu samples), loss %.4f\n", test.accuracy, split.test.num_samples(), test.loss);
  } else {
    std::printf("data: %s (not the training data: no split)\n", source.c_str());
  }
  std::printf("all-data accuracy %.4f (%zu samples), loss %.4f\n", all.accuracy, data.num_samples(), all.loss);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "evaluate a saved model (reproduces its train/test split)");
  cmd->add_option("model", args->model, "model.json written by qnn train")->required();
  cmd->add_option("--data", args->data, "built-in data set or CSV file (default: the one it was trained on)");
  cmd->add_option("--shots", args->shots, "estimate every readout observable from N shots (0: exact)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the shots")->capture_default_str();
  add_noise_options(cmd, args->noise);
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace qnn::cli
