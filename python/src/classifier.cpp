// The classifier and its trainer, bound thinly: a config object (keyword arguments, validated by the C++
// constructor), train/evaluate/predict, and train() with a per-epoch Python callback. The GIL is released for the
// whole of training and taken back only inside the callbacks (and, per mini-batch, to let Ctrl-C through).
#include <algorithm>
#include <cmath>

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/ml/classifier.hpp"
#include "qnn/ml/trainer.hpp"

namespace qnn::python {

namespace {

// Object built by calling the Python class without arguments, then setting each keyword as an attribute, so the
// keywords are exactly the properties (a misspelt one is a TypeError naming it).
template <class T>
T from_keywords(const py::handle& cls, const py::kwargs& kwargs) {
  py::object obj = cls();
  for (const auto& [key, value] : kwargs) {
    if (!py::hasattr(obj, key)) {
      throw py::type_error(std::string(py::str(cls.attr("__name__"))) + "() got an unexpected keyword argument '" +
                           std::string(py::str(key)) + "'");
    }
    py::setattr(obj, key, value);
  }
  return obj.cast<T>();
}

template <class C, class T>
void count_property(py::class_<C>& cls, const char* name, unsigned T::*field, const char* doc) {
  cls.def_property(
      name, [field](const C& c) { return c.*field; },
      [field, name](C& c, std::int64_t v) { c.*field = non_negative(v, name); }, doc);
}

// The rows of a 1-D (one sample) or 2-D (samples × features) array as a Dataset the classifier can batch over.
Dataset samples_of(const py::object& x, unsigned num_features) {
  py::array a = py::array::ensure(x);
  const int ndim = a ? static_cast<int>(a.ndim()) : 2;
  RealArray arr = as_real_array(x, "x", ndim == 1 ? 1 : 2);
  const auto rows = ndim == 1 ? std::size_t{1} : static_cast<std::size_t>(arr.shape(0));
  const auto cols = static_cast<std::size_t>(ndim == 1 ? arr.shape(0) : arr.shape(1));
  if (cols != num_features) {
    throw py::value_error("x has " + std::to_string(cols) + " features per sample, the model reads " +
                          std::to_string(num_features));
  }
  require_finite(span_of(arr), "x");
  Dataset d;
  d.features.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) d.features[r].assign(arr.data() + r * cols, arr.data() + (r + 1) * cols);
  d.labels.assign(rows, 0);
  return d;
}

// Outputs of every sample, in fixed chunks on batched states (parallel; the same numbers for any thread count).
std::vector<double> all_logits(const QuantumClassifier& model, const Dataset& d) {
  constexpr std::size_t kChunk = 32;
  const std::size_t n = d.num_samples(), C = model.config().num_classes;
  std::vector<double> z(n * C);
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  parallel_tasks(chunks, [&](std::uint64_t ch) {
    std::vector<std::size_t> idx;
    for (std::size_t i = ch * kChunk; i < std::min(n, (ch + 1) * kChunk); ++i) idx.push_back(i);
    const std::vector<double> part = model.batch_logits(d, idx);
    std::copy(part.begin(), part.end(), z.begin() + static_cast<std::ptrdiff_t>(ch * kChunk * C));
  }, model.circuit().size() * (std::uint64_t{1} << model.circuit().num_qubits()) * kChunk);
  return z;
}

QuantumClassifier::GradientMethod parse_gradient(const std::string& name) {
  using GM = QuantumClassifier::GradientMethod;
  if (name == "adjoint") return GM::Adjoint;
  if (name == "parameter-shift") return GM::ParameterShift;
  if (name == "spsa") return GM::Spsa;
  if (name == "finite-diff") return GM::FiniteDifference;
  throw py::value_error("gradient must be adjoint, parameter-shift, spsa or finite-diff, got '" + name + "'");
}

const char* gradient_name(QuantumClassifier::GradientMethod m) {
  using GM = QuantumClassifier::GradientMethod;
  return m == GM::ParameterShift ? "parameter-shift" : m == GM::Spsa ? "spsa" : m == GM::FiniteDifference ? "finite-diff"
                                                                                                          : "adjoint";
}

const char* schedule_name(LearningRateSchedule::Kind k) {
  using K = LearningRateSchedule::Kind;
  return k == K::Step ? "step" : k == K::Exponential ? "exponential" : k == K::Cosine ? "cosine" : "constant";
}

}  // namespace

void bind_classifier(py::module_& m) {
  py::class_<ClassifierConfig> config(m, "ClassifierConfig", R"doc(The classifier's architecture, as keywords:
``qnn.ClassifierConfig(qubits=4, layers=3, num_features=4, num_classes=3, encoding="Y", precision="double")``.)doc");
  config.def(py::init<>())
      .def(py::init([config](const py::kwargs& kw) { return from_keywords<ClassifierConfig>(config, kw); }));
  count_property(config, "qubits", &ClassifierConfig::qubits, "qubits of the circuit (>= classes)");
  count_property(config, "layers", &ClassifierConfig::layers, "ansatz layers");
  count_property(config, "num_features", &ClassifierConfig::num_features, "raw features of a sample");
  count_property(config, "num_classes", &ClassifierConfig::num_classes, "classes (>= 2)");
  config
      .def_property(
          "encoding", [](const ClassifierConfig& c) { return std::string(1, static_cast<char>(c.encoding)); },
          [](ClassifierConfig& c, const std::string& axis) {
            if (axis.size() != 1) throw py::value_error("encoding must be X, Y or Z, got '" + axis + "'");
            c.encoding = parse_rotation_axis(axis[0]);
          },
          "rotation axis of the angle encoding: 'X', 'Y' or 'Z'")
      .def_property(
          "precision",
          [](const ClassifierConfig& c) { return c.precision == Precision::Single ? "single" : "double"; },
          [](ClassifierConfig& c, const std::string& p) {
            if (p != "single" && p != "double") throw py::value_error("precision must be single or double, got '" + p + "'");
            c.precision = p == "single" ? Precision::Single : Precision::Double;
          },
          "precision of the simulated states: 'single' or 'double'")
      .def("__repr__", [](const ClassifierConfig& c) {
        return "ClassifierConfig(qubits=" + std::to_string(c.qubits) + ", layers=" + std::to_string(c.layers) +
               ", num_features=" + std::to_string(c.num_features) + ", num_classes=" + std::to_string(c.num_classes) +
               ", encoding='" + std::string(1, static_cast<char>(c.encoding)) + "', precision='" +
               (c.precision == Precision::Single ? "single" : "double") + "')";
      });

  py::class_<QuantumClassifier::Score>(m, "Score", "Mean loss and accuracy over a data set.")
      .def_readonly("loss", &QuantumClassifier::Score::loss)
      .def_readonly("accuracy", &QuantumClassifier::Score::accuracy)
      .def("__iter__", [](const QuantumClassifier::Score& s) { return py::iter(py::make_tuple(s.loss, s.accuracy)); })
      .def("__repr__", [](const QuantumClassifier::Score& s) {
        return "Score(loss=" + std::to_string(s.loss) + ", accuracy=" + std::to_string(s.accuracy) + ")";
      });

  py::class_<QuantumClassifier>(m, "QuantumClassifier", R"doc(The QNN classifier: standardise, encode, ansatz, readout,
logits, softmax. Weights are drawn from `seed` exactly as `qnn train --seed` draws them.)doc")
      .def(py::init([](const ClassifierConfig& c, std::int64_t seed) {
             return QuantumClassifier(c, non_negative64(seed, "seed"));
           }),
           py::arg("config"), py::arg("seed") = 7)
      .def_property_readonly("config", &QuantumClassifier::config)
      .def_property_readonly("circuit", &QuantumClassifier::circuit)
      .def_property_readonly("readout", &QuantumClassifier::readout)
      .def_property_readonly("num_circuit_weights", &QuantumClassifier::num_circuit_weights)
      .def_property(
          "weights", [](const QuantumClassifier& q) { return to_numpy(std::vector<double>(q.weights())); },
          [](QuantumClassifier& q, const py::object& w) {
            const RealArray a = as_real_array(w, "weights", 1);
            require_finite(span_of(a), "weights");
            q.set_weights(std::vector<double>(a.data(), a.data() + a.size()));
          },
          "Every trainable weight: circuit theta first, then the classical ones (a copy; assign to replace).")
      .def("set_standardizer", &QuantumClassifier::set_standardizer, py::arg("standardizer"))
      .def(
          "fit_standardizer", [](QuantumClassifier& q, const Dataset& train) {
            q.set_standardizer(Standardizer::fit(train));
          },
          py::arg("train"), "Standardise inputs with the mean and spread of the training data (as the CLI does).")
      .def(
          "logits",
          [](const QuantumClassifier& q, const py::object& x) {
            const Dataset d = samples_of(x, q.config().num_features);
            std::vector<double> z;
            {
              py::gil_scoped_release release;
              z = all_logits(q, d);
            }
            return to_numpy(std::move(z), {static_cast<py::ssize_t>(d.num_samples()),
                                           static_cast<py::ssize_t>(q.config().num_classes)});
          },
          py::arg("x"), "Outputs z of raw samples (n x features, or one sample): n x classes.")
      .def(
          "predict",
          [](const QuantumClassifier& q, const py::object& x) {
            const Dataset d = samples_of(x, q.config().num_features);
            const std::size_t C = q.config().num_classes;
            std::vector<double> z;
            {
              py::gil_scoped_release release;
              z = all_logits(q, d);
            }
            std::vector<std::int64_t> labels(d.num_samples());
            for (std::size_t i = 0; i < labels.size(); ++i) {
              const auto row = z.begin() + static_cast<std::ptrdiff_t>(i * C);
              labels[i] = std::max_element(row, row + static_cast<std::ptrdiff_t>(C)) - row;
            }
            return to_numpy(std::move(labels));
          },
          py::arg("x"), "The most likely class of each raw sample.")
      .def(
          "evaluate",
          [](const QuantumClassifier& q, const Dataset& d) {
            py::gil_scoped_release release;
            return q.evaluate(d);
          },
          py::arg("data"), "Mean loss and accuracy over a data set (a Score; unpacks as (loss, accuracy)).")
      .def(
          "loss_and_gradient",
          [](const QuantumClassifier& q, const Dataset& d, const py::object& indices) {
            std::vector<std::size_t> idx;
            if (indices.is_none()) {
              for (std::size_t i = 0; i < d.num_samples(); ++i) idx.push_back(i);
            } else {
              for (const std::int64_t i : as_int_vector(indices, "indices")) {
                if (i < 0 || static_cast<std::size_t>(i) >= d.num_samples()) {
                  throw py::value_error("index " + std::to_string(i) + " out of range");
                }
                idx.push_back(static_cast<std::size_t>(i));
              }
            }
            std::vector<double> grad(q.weights().size(), 0.0);
            double loss = 0;
            {
              py::gil_scoped_release release;
              loss = q.batch_loss_and_gradient(d, idx, grad);
            }
            return py::make_tuple(loss, to_numpy(std::move(grad)));
          },
          py::arg("data"), py::arg("indices") = py::none(),
          "Summed loss and gradient over the samples (all by default), one batched adjoint sweep.");

  py::class_<TrainOptions> train_options(m, "TrainOptions", R"doc(How train() fits a model, as keywords:
``qnn.TrainOptions(epochs=40, batch_size=16, learning_rate=0.05, seed=7, optimizer="adam")``.)doc");
  train_options.def(py::init<>())
      .def(py::init([train_options](const py::kwargs& kw) { return from_keywords<TrainOptions>(train_options, kw); }));
  count_property(train_options, "epochs", &TrainOptions::epochs, "passes over the training set");
  count_property(train_options, "batch_size", &TrainOptions::batch_size, "mini-batch size");
  count_property(train_options, "epochs_per_layer", &TrainOptions::epochs_per_layer, "layer-wise growth (0: off)");
  count_property(train_options, "patience", &TrainOptions::patience, "early stopping on the validation loss (0: off)");
  train_options
      .def_property(
          "learning_rate", [](const TrainOptions& o) { return o.learning_rate; },
          [](TrainOptions& o, double v) {
            if (!(v > 0) || !std::isfinite(v)) throw py::value_error("learning_rate must be a positive number, got " + std::to_string(v));
            o.learning_rate = v;
          })
      .def_property(
          "seed", [](const TrainOptions& o) { return o.seed; },
          [](TrainOptions& o, std::int64_t v) { o.seed = non_negative64(v, "seed"); })
      .def_readwrite("optimizer", &TrainOptions::optimizer,
                     "sgd, momentum, nesterov, adam, adamw, rmsprop, qng or lbfgs")
      .def_property(
          "gradient", [](const TrainOptions& o) { return std::string(gradient_name(o.gradient.method)); },
          [](TrainOptions& o, const std::string& g) { o.gradient.method = parse_gradient(g); },
          "adjoint (batched), parameter-shift, spsa or finite-diff")
      .def_property(
          "shots", [](const TrainOptions& o) { return o.gradient.shots; },
          [](TrainOptions& o, std::int64_t v) { o.gradient.shots = non_negative64(v, "shots"); },
          "measurement shots per circuit (0: exact)")
      .def_property(
          "schedule", [](const TrainOptions& o) { return std::string(schedule_name(o.schedule.kind)); },
          [](TrainOptions& o, const std::string& s) { o.schedule.kind = LearningRateSchedule::parse(s); },
          "constant, step, exponential or cosine")
      .def_property(
          "lr_gamma", [](const TrainOptions& o) { return o.schedule.gamma; },
          [](TrainOptions& o, double v) { o.schedule.gamma = v; })
      .def_property(
          "lr_step", [](const TrainOptions& o) { return o.schedule.step_size; },
          [](TrainOptions& o, std::int64_t v) { o.schedule.step_size = non_negative(v, "lr_step"); })
      .def_readwrite("qng_regularisation", &TrainOptions::qng_regularisation);

  py::class_<EpochMetrics>(m, "EpochMetrics", "What one epoch reached (NaN where a set was not given).")
      .def_readonly("epoch", &EpochMetrics::epoch)
      .def_readonly("train_loss", &EpochMetrics::train_loss)
      .def_readonly("train_accuracy", &EpochMetrics::train_accuracy)
      .def_readonly("validation_loss", &EpochMetrics::validation_loss)
      .def_readonly("validation_accuracy", &EpochMetrics::validation_accuracy)
      .def_readonly("test_loss", &EpochMetrics::test_loss)
      .def_readonly("test_accuracy", &EpochMetrics::test_accuracy)
      .def_readonly("seconds", &EpochMetrics::seconds)
      .def_readonly("layers", &EpochMetrics::layers)
      .def_readonly("learning_rate", &EpochMetrics::learning_rate)
      .def("__repr__", [](const EpochMetrics& e) {
        char text[160];
        std::snprintf(text, sizeof text, "EpochMetrics(epoch=%u, train_loss=%.4f, train_accuracy=%.4f, test_accuracy=%.4f)",
                      e.epoch, e.train_loss, e.train_accuracy, e.test_accuracy);
        return std::string(text);
      });
  py::class_<TrainResult>(m, "TrainResult")
      .def_readonly("history", &TrainResult::history)
      .def_readonly("seconds", &TrainResult::seconds)
      .def_readonly("stopped_early", &TrainResult::stopped_early)
      .def_readonly("best_epoch", &TrainResult::best_epoch);

  m.def(
      "train",
      [](QuantumClassifier& model, const Dataset& train_set, const Dataset* test, const Dataset* validation,
         const TrainOptions* options, const py::object& on_epoch) {
        TrainOptions opt = options ? *options : TrainOptions{};
        opt.schedule.epochs = total_epochs(opt, model.config());  // what the cosine schedule anneals over (as the CLI)
        TrainCallbacks cb;
        if (!on_epoch.is_none()) {
          cb.on_epoch = [&on_epoch](const EpochMetrics& e) {
            py::gil_scoped_acquire gil;
            on_epoch(e);
          };
        }
        // Between mini-batches: let Ctrl-C (or any pending signal handler's exception) stop the run.
        cb.on_batch = [](unsigned, std::size_t, std::size_t) {
          py::gil_scoped_acquire gil;
          if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        };
        py::gil_scoped_release release;
        return train(model, TrainSets{&train_set, validation, test}, opt, cb);
      },
      py::arg("model"), py::arg("train"), py::arg("test") = nullptr, py::arg("validation") = nullptr,
      py::arg("options") = nullptr, py::arg("on_epoch") = py::none(),
      R"doc(Fit `model` on `train` (mini-batches, the optimiser of `options`), reporting on `test` and `validation`
each epoch. `on_epoch(metrics)` is called after every epoch (the only time the GIL is held). The same seed gives the
same weights as `qnn train`.)doc");
}

}  // namespace qnn::python
