// The classifier and its trainer, bound thinly: a config object (keyword arguments named as the CLI's options; each
// name is checked by the C++ parser when it is set, the combination by the C++ constructor), train/evaluate/predict,
// a noisy readout (the CLI's --noise/--mitigate) and train() with a per-epoch Python callback. The GIL is released for
// the whole of training and evaluation and taken back only inside the callbacks (and, per mini-batch, to let Ctrl-C
// through).
#include <algorithm>
#include <cmath>

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/ml/classifier.hpp"
#include "qnn/ml/trainer.hpp"
#include "qnn/noise/noise_spec.hpp"
#include "qnn/noise/noisy_readout.hpp"

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

const char* feature_pairs_name(FeaturePairs p) {
  return p == FeaturePairs::Linear ? "linear" : p == FeaturePairs::Circular ? "circular" : "full";
}

const char* reupload_scaling_name(ReuploadScaling s) {
  return s == ReuploadScaling::Scale ? "scale" : s == ReuploadScaling::Affine ? "affine" : "none";
}

ReuploadScaling parse_reupload_scaling(const std::string& name) {
  if (name == "none") return ReuploadScaling::None;
  if (name == "scale") return ReuploadScaling::Scale;
  if (name == "affine") return ReuploadScaling::Affine;
  throw py::value_error("reupload_scaling must be none, scale or affine, got '" + name + "'");
}

// hidden / head: the CLI's text ("16:relu,4:tanh") or a list whose items are units (linear), "units:activation" or
// (units, activation). Lists are turned into that text so the C++ parser checks units and activations with its own
// messages.
std::vector<DenseLayerSpec> dense_layers_of(const py::object& v) {
  if (py::isinstance<py::str>(v)) return parse_dense_layers(v.cast<std::string>());
  std::string text;
  for (const py::handle item : v) {
    if (!text.empty()) text += ',';
    if (py::isinstance<py::str>(item)) {
      text += item.cast<std::string>();
    } else if (py::isinstance<py::tuple>(item) || py::isinstance<py::list>(item)) {
      const auto pair = item.cast<py::sequence>();
      if (pair.size() != 2) throw py::value_error("a dense layer is (units, activation), got " + std::string(py::repr(item)));
      text += std::to_string(pair[0].cast<std::int64_t>()) + ":" + pair[1].cast<std::string>();
    } else {
      text += std::to_string(item.cast<std::int64_t>());
    }
  }
  return parse_dense_layers(text);
}

py::list dense_layers_to_python(const std::vector<DenseLayerSpec>& layers) {
  py::list out;
  for (const DenseLayerSpec& l : layers) out.append(py::make_tuple(l.units, activation_name(l.activation)));
  return out;
}

// Pauli readout items: each must parse as a Pauli sum now, so a typo is reported where it is written.
std::vector<std::string> pauli_sums_of(const py::object& v) {
  std::vector<std::string> out;
  if (py::isinstance<py::str>(v)) {
    // The CLI's form: sums separated by ';'.
    const auto text = v.cast<std::string>();
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find(';', start), text.size());
      out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  } else {
    for (const py::handle item : v) out.push_back(item.cast<std::string>());
  }
  for (std::string& item : out) {
    const auto a = item.find_first_not_of(' '), b = item.find_last_not_of(' ');
    item = a == std::string::npos ? std::string() : item.substr(a, b - a + 1);
    if (item.empty()) throw py::value_error("pauli_readout: an empty Pauli sum");
    (void)parse_pauli_sum(item);
  }
  return out;
}

// What the CLI's --noise, --mitigate, --zne-scales, --extrapolation and --folding give, as a readout backend.
struct NoiseRequest {
  py::object noise;  // None, a spec / preset / JSON path, or a NoiseModel
  std::string mitigate = "none";
  std::vector<double> zne_scales{1, 3, 5};
  std::string extrapolation = "richardson";
  std::string folding = "global";
};

QuantumClassifier::ReadoutBackend noisy_backend(const QuantumClassifier& model, const NoiseRequest& r) {
  if (r.noise.is_none()) {
    if (r.mitigate != "none") throw py::value_error("mitigate needs a noise model (nothing to mitigate)");
    return {};
  }
  NoiseModel noise;
  if (py::isinstance<py::str>(r.noise)) {
    const auto spec = r.noise.cast<std::string>();
    noise = load_noise_model(spec);
    if (noise.name.empty()) noise.name = spec;
  } else if (py::isinstance<NoiseModel>(r.noise)) {
    noise = r.noise.cast<NoiseModel>();
  } else {
    throw py::type_error("noise must be a spec string, a preset name, a JSON file or a qnn.NoiseModel, not " +
                         std::string(py::str(py::type::of(r.noise).attr("__name__"))));
  }
  Mitigation m = parse_mitigation(r.mitigate);
  m.zne_options.extrapolator = parse_extrapolator(r.extrapolation);
  m.zne_options.folding = parse_folding(r.folding);
  m.zne_options.scale_factors = r.zne_scales;
  // The density matrix is simulated in the model's precision, as the CLI does.
  return model.config().precision == Precision::Single ? noisy_readout<float>(std::move(noise), m)
                                                       : noisy_readout<double>(std::move(noise), m);
}

// Class probabilities from outputs z, row by row: the rule of QuantumClassifier::probabilities, applied to the
// batched outputs so that probabilities() agrees with logits() (and sees a noisy readout as they do).
std::vector<double> probabilities_of(const QuantumClassifier& model, std::vector<double> z) {
  const std::size_t C = model.config().num_classes;
  for (std::size_t r = 0; r * C < z.size(); ++r) {
    const std::span<double> row(z.data() + r * C, C);
    if (model.config().loss != LossKind::Fidelity) {
      const std::vector<double> p = softmax(row);
      std::copy(p.begin(), p.end(), row.begin());
      continue;
    }
    double s = 0;
    for (double& v : row) s += v = std::max(v, 0.0);
    for (double& v : row) v = s > 0 ? v / s : 1.0 / double(C);
  }
  return z;
}

const char* schedule_name(LearningRateSchedule::Kind k) {
  using K = LearningRateSchedule::Kind;
  return k == K::Step ? "step" : k == K::Exponential ? "exponential" : k == K::Cosine ? "cosine" : "constant";
}

}  // namespace

void bind_classifier(py::module_& m) {
  py::class_<ClassifierConfig> config(m, "ClassifierConfig", R"doc(The classifier's architecture, as keywords:
``qnn.ClassifierConfig(qubits=4, layers=2, hidden="4:tanh", readout="z-all", head=[(8, "tanh")], loss="cross-entropy")``.
Each keyword is a `qnn train` option; an unknown name is a ValueError when set, an inconsistent combination one when
the QuantumClassifier is built.)doc");
  config.def(py::init<>())
      .def(py::init([config](const py::kwargs& kw) { return from_keywords<ClassifierConfig>(config, kw); }));
  count_property(config, "qubits", &ClassifierConfig::qubits, "qubits of the circuit (>= classes)");
  count_property(config, "layers", &ClassifierConfig::layers, "ansatz layers");
  count_property(config, "num_features", &ClassifierConfig::num_features, "raw features of a sample");
  count_property(config, "num_classes", &ClassifierConfig::num_classes, "classes (>= 2)");
  count_property(config, "encoding_reps", &ClassifierConfig::encoding_reps,
                 "repetitions of the encoding block (0: 2 for zz, 1 otherwise)");
  count_property(config, "pca_components", &ClassifierConfig::pca_components,
                 "project the standardised features on this many principal components, whitened (0: off)");
  config
      .def_property(
          "encoding",
          [](const ClassifierConfig& c) {
            return c.encoding_name.empty() ? std::string(1, static_cast<char>(c.encoding)) : c.encoding_name;
          },
          [](ClassifierConfig& c, const std::string& name) {
            // As the CLI's --encoding: one axis letter is the original angle encoding (features wrap around the
            // qubits); anything else must be an encoding name.
            if (name.size() == 1 && std::string_view("XYZxyz").find(name[0]) != std::string_view::npos) {
              c.encoding = parse_rotation_axis(name[0]);
              c.encoding_name.clear();
            } else {
              (void)parse_encoding(name);
              c.encoding_name = name;
            }
          },
          "'X', 'Y' or 'Z' (the original angle encoding, extra features wrap around), or angle-x|y|z, dense, "
          "basis, zz, iqp")
      .def_property(
          "encoding_pairs", [](const ClassifierConfig& c) { return std::string(feature_pairs_name(c.encoding_pairs)); },
          [](ClassifierConfig& c, const std::string& p) { c.encoding_pairs = parse_feature_pairs(p); },
          "feature pairs of zz and iqp: 'linear', 'circular' or 'full'")
      .def_readwrite("reupload", &ClassifierConfig::reupload,
                     "data re-uploading: `layers` times (encoding block, one ansatz layer)")
      .def_property(
          "reupload_scaling",
          [](const ClassifierConfig& c) { return std::string(reupload_scaling_name(c.reupload_scaling)); },
          [](ClassifierConfig& c, const std::string& s) { c.reupload_scaling = parse_reupload_scaling(s); },
          "re-uploaded features as x ('none'), w*x ('scale') or w*x + b ('affine'), trainable per block")
      .def_property(
          "ansatz", [](const ClassifierConfig& c) { return c.ansatz; },
          [](ClassifierConfig& c, const std::string& name) {
            (void)make_ansatz(name);  // an unknown name fails here, with the list of known ones
            c.ansatz = name;
          },
          "basic, strong, hea-linear, hea-ring, hea-full, qcnn or ttn")
      .def_property(
          "rotation", [](const ClassifierConfig& c) { return std::string(rotation_block_name(c.rotation)); },
          [](ClassifierConfig& c, const std::string& r) { c.rotation = parse_rotation_block(r); },
          "rotation block of hea-* and ttn: 'ry', 'ry-rz' or 'u3'")
      .def_property(
          "readout", [](const ClassifierConfig& c) { return readout_name(c.readout); },
          [](ClassifierConfig& c, const py::object& v) {
            // A kind name, or Pauli sums (a list, or the CLI's 'Z0 Z1; X2'), which set pauli_readout too.
            if (py::isinstance<py::str>(v)) {
              const auto text = v.cast<std::string>();
              try {
                c.readout = parse_readout(text);
                if (c.readout != ReadoutKind::Pauli) c.pauli_readout.clear();
                return;
              } catch (const ValueError&) {
                if (text.find_first_of("XYZ") == std::string::npos ||
                    text.find_first_of("0123456789") == std::string::npos) {
                  throw;
                }
              }
            }
            c.pauli_readout = pauli_sums_of(v);
            c.readout = ReadoutKind::Pauli;
          },
          "'z' (<Z_k> per class), 'z-all' (<Z_q> on every qubit), 'probabilities', 'parity', or Pauli sums "
          "(['Z0 Z1', 'X2']): reads back as the kind name ('pauli' for sums)")
      .def_property(
          "pauli_readout", [](const ClassifierConfig& c) { return c.pauli_readout; },
          [](ClassifierConfig& c, const py::object& v) { c.pauli_readout = pauli_sums_of(v); },
          "the observables of the 'pauli' readout, one value each")
      .def_property(
          "hidden", [](const ClassifierConfig& c) { return dense_layers_to_python(c.hidden); },
          [](ClassifierConfig& c, const py::object& v) { c.hidden = dense_layers_of(v); },
          "dense layers before the circuit: '16:relu,4:tanh' or [(16, 'relu'), (4, 'tanh')]; the last one's units "
          "are the circuit's inputs. Reads back as (units, activation) tuples")
      .def_property(
          "head", [](const ClassifierConfig& c) { return dense_layers_to_python(c.head); },
          [](ClassifierConfig& c, const py::object& v) { c.head = dense_layers_of(v); },
          "dense layers after the readout, as hidden; a linear layer to the classes follows them")
      .def_property(
          "loss", [](const ClassifierConfig& c) { return loss_name(c.loss); },
          [](ClassifierConfig& c, const std::string& l) { c.loss = parse_loss(l); },
          "'cross-entropy', 'mse', 'mse-pm1', 'hinge' or 'fidelity'")
      .def_property(
          "precision",
          [](const ClassifierConfig& c) { return c.precision == Precision::Single ? "single" : "double"; },
          [](ClassifierConfig& c, const std::string& p) {
            if (p != "single" && p != "double") throw py::value_error("precision must be single or double, got '" + p + "'");
            c.precision = p == "single" ? Precision::Single : Precision::Double;
          },
          "precision of the simulated states: 'single' or 'double'")
      .def("__repr__", [](const py::object& self) {
        // Every property, so that the repr evaluates back to the same configuration.
        static const char* const names[] = {"qubits", "layers", "num_features", "num_classes", "encoding",
                                            "encoding_reps", "encoding_pairs", "reupload", "reupload_scaling",
                                            "ansatz", "rotation", "readout", "pauli_readout", "pca_components",
                                            "hidden", "head", "loss", "precision"};
        std::string text = "ClassifierConfig(";
        for (const char* name : names) {
          py::object v = self.attr(name);
          // Pauli sums are written as the readout (setting it to them selects the kind too).
          if (std::string_view(name) == "readout" && v.cast<std::string>() == "pauli") v = self.attr("pauli_readout");
          if (std::string_view(name) == "pauli_readout") continue;
          if (text.back() != '(') text += ", ";
          text += std::string(name) + "=" + std::string(py::repr(v));
        }
        return text + ")";
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
          "fit_standardizer",
          [](QuantumClassifier& q, const Dataset& train) {
            const Standardizer st = Standardizer::fit(train);
            if (q.config().pca_components > 0) {
              // As `qnn train --pca`: the components of the standardised training features.
              Dataset standardised = train;
              st.transform_in_place(standardised);
              q.set_pca(Pca::fit(standardised, q.config().pca_components));
            }
            q.set_standardizer(st);
          },
          py::arg("train"),
          "Standardise inputs with the mean and spread of the training data and, when config.pca_components > 0, "
          "fit the PCA on the standardised training data (as the CLI does).")
      .def("set_pca", &QuantumClassifier::set_pca, py::arg("pca"),
           "Use this PCA of the standardised features (config.pca_components components).")
      .def_property_readonly("pca", &QuantumClassifier::pca)
      .def_property_readonly("standardizer", &QuantumClassifier::standardizer)
      .def_property_readonly("num_circuit_inputs", &QuantumClassifier::num_circuit_inputs,
                             "values the circuit reads per sample (the last hidden layer's units, or the features)")
      .def("describe", &QuantumClassifier::describe, "One line: qubits, encoding, ansatz, readout, head, loss.")
      .def("__repr__",
           [](const QuantumClassifier& q) {
             return "QuantumClassifier(" + q.describe() + ", " + std::to_string(q.weights().size()) + " weights" +
                    (q.has_readout_backend() ? ", noisy readout" : "") + ")";
           })
      .def(
          "set_noise",
          [](QuantumClassifier& q, const py::object& noise, const std::string& mitigate,
             const std::vector<double>& zne_scales, const std::string& extrapolation, const std::string& folding) {
            q.set_readout_backend(noisy_backend(q, {noise, mitigate, zne_scales, extrapolation, folding}));
          },
          py::arg("noise"), py::arg("mitigate") = "none", py::arg("zne_scales") = std::vector<double>{1, 3, 5},
          py::arg("extrapolation") = "richardson", py::arg("folding") = "global",
          R"doc(Evaluate (and train) the readout on the noisy density matrix, as the CLI's --noise/--mitigate:
`noise` is a spec ("depolarizing:0.01"), a preset, a JSON file or a NoiseModel; None goes back to the exact state
vector. `mitigate` is none, readout, zne or zne,readout. logits, predict, probabilities, evaluate (without shots),
loss_and_gradient and train() then see the noise.)doc")
      .def_property_readonly("has_noise", &QuantumClassifier::has_readout_backend,
                             "whether set_noise installed a noisy readout")
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
          "probabilities",
          [](const QuantumClassifier& q, const py::object& x) {
            const Dataset d = samples_of(x, q.config().num_features);
            std::vector<double> p;
            {
              py::gil_scoped_release release;
              p = probabilities_of(q, all_logits(q, d));
            }
            return to_numpy(std::move(p), {static_cast<py::ssize_t>(d.num_samples()),
                                           static_cast<py::ssize_t>(q.config().num_classes)});
          },
          py::arg("x"),
          "Class probabilities of raw samples (n x classes): softmax of the logits, or the fidelities normalised to "
          "sum 1 for the fidelity loss.")
      .def(
          "evaluate",
          [](const QuantumClassifier& q, const Dataset& d, std::int64_t shots, std::int64_t seed,
             const py::object& noise, const std::string& mitigate, const std::vector<double>& zne_scales,
             const std::string& extrapolation, const std::string& folding) {
            const std::uint64_t n = non_negative64(shots, "shots"), s = non_negative64(seed, "seed");
            if (n > 0 && (!noise.is_none() || q.has_readout_backend())) {
              throw py::value_error("shots cannot be combined with noise (the noisy readout is exact on the density "
                                    "matrix)");
            }
            if (noise.is_none()) {
              if (mitigate != "none") throw py::value_error("mitigate needs a noise model (nothing to mitigate)");
              py::gil_scoped_release release;
              return q.evaluate(d, n, s);
            }
            // A noisy copy: the model itself keeps its readout.
            QuantumClassifier noisy = q;
            noisy.set_readout_backend(noisy_backend(q, {noise, mitigate, zne_scales, extrapolation, folding}));
            py::gil_scoped_release release;
            return noisy.evaluate(d);
          },
          py::arg("data"), py::kw_only(), py::arg("shots") = 0, py::arg("seed") = 1, py::arg("noise") = py::none(),
          py::arg("mitigate") = "none", py::arg("zne_scales") = std::vector<double>{1, 3, 5},
          py::arg("extrapolation") = "richardson", py::arg("folding") = "global",
          R"doc(Mean loss and accuracy over a data set (a Score; unpacks as (loss, accuracy)), as `qnn eval`:
`shots` > 0 estimates every readout observable from that many shots (seeded per sample by `seed`); `noise` (and
`mitigate`, ...: see set_noise) evaluates this call on the noisy density matrix without changing the model.)doc")
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
        // The hardware-style gradient paths are exact: under noise they would silently train the noiseless model.
        if (model.has_readout_backend() &&
            (opt.gradient.method != QuantumClassifier::GradientMethod::Adjoint || opt.gradient.shots != 0)) {
          throw py::value_error("a model with noise trains with gradient='adjoint' (reverse mode through the density "
                                "matrix) and exact expectations (shots=0)");
        }
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
