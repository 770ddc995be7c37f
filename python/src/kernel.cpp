// Quantum kernels and the classical kernel machines on top: encodings by name, the fidelity kernel's Gram and cross
// matrices as NumPy arrays (moved out, not copied), and a kernel SVM / kernel ridge classifier on any precomputed
// kernel matrix (a NumPy array), as scikit-learn's kernel="precomputed".
#include <pybind11/complex.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/ml/encoding.hpp"
#include "qnn/ml/kernel_classifier.hpp"
#include "qnn/ml/quantum_kernel.hpp"

namespace qnn::python {

namespace {

std::vector<std::vector<double>> samples(const py::object& x, unsigned num_features, const char* name) {
  const RealArray a = as_real_array(x, name, 2);
  if (static_cast<unsigned>(a.shape(1)) != num_features) {
    throw py::value_error(std::string(name) + " has " + std::to_string(a.shape(1)) +
                          " features per sample, the encoding reads " + std::to_string(num_features));
  }
  require_finite(span_of(a), name);
  return rows_of(a);
}

py::array_t<double> matrix_to_numpy(KernelMatrix&& k) {
  return python::to_numpy(std::move(k.values), {static_cast<py::ssize_t>(k.rows), static_cast<py::ssize_t>(k.cols)});
}

KernelMatrix kernel_of(const py::object& k, const char* name) {
  const RealArray a = as_real_array(k, name, 2);
  require_finite(span_of(a), name);
  KernelMatrix out;
  out.rows = static_cast<std::size_t>(a.shape(0));
  out.cols = static_cast<std::size_t>(a.shape(1));
  out.values.assign(a.data(), a.data() + a.size());
  return out;
}

std::vector<int> labels_of(const py::object& y, std::size_t n, std::size_t* num_classes) {
  std::vector<int> out;
  std::int64_t most = -1;
  for (const std::int64_t l : as_int_vector(y, "labels")) {
    if (l < 0 || l > 1'000'000) throw py::value_error("labels must be in [0, 1000000], got " + std::to_string(l));
    out.push_back(static_cast<int>(l));
    most = std::max(most, l);
  }
  if (out.size() != n) {
    throw py::value_error("labels has " + std::to_string(out.size()) + " entries for a " + std::to_string(n) +
                          "-sample kernel matrix");
  }
  if (*num_classes == 0) *num_classes = static_cast<std::size_t>(most + 1);
  return out;
}

template <class Machine>
void bind_machine_methods(py::class_<Machine>& cls) {
  cls.def(
         "fit",
         [](Machine& machine, const py::object& gram, const py::object& labels, std::int64_t num_classes) {
           const KernelMatrix k = kernel_of(gram, "gram");
           if (k.rows != k.cols) throw py::value_error("gram must be square (train x train)");
           std::size_t classes = non_negative(num_classes, "num_classes");
           const std::vector<int> y = labels_of(labels, k.rows, &classes);
           py::gil_scoped_release release;
           machine.fit(k, y, classes);
         },
         py::arg("gram"), py::arg("labels"), py::arg("num_classes") = 0,
         "Fit on the train x train kernel matrix (num_classes 0: 1 + the largest label).")
      .def(
          "decision_function",
          [](const Machine& machine, const py::object& k) {
            const KernelMatrix km = kernel_of(k, "kernel");
            std::vector<double> d = machine.decision_function(km);
            const std::size_t cols = km.rows ? d.size() / km.rows : 0;
            return python::to_numpy(std::move(d), {static_cast<py::ssize_t>(km.rows), static_cast<py::ssize_t>(cols)});
          },
          py::arg("kernel"), "Decision values of the rows of a (samples x train) kernel matrix.")
      .def(
          "predict",
          [](const Machine& machine, const py::object& k) {
            const std::vector<int> p = machine.predict(kernel_of(k, "kernel"));
            return python::to_numpy(std::vector<std::int64_t>(p.begin(), p.end()));
          },
          py::arg("kernel"), "Predicted labels from a (samples x train) kernel matrix.");
}

}  // namespace

void bind_kernel(py::module_& m) {
  py::class_<Encoding>(m, "Encoding", "A data encoding bound to a qubit count and a feature count.")
      .def(py::init([](const std::string& name, std::int64_t qubits, std::int64_t features, std::int64_t reps,
                       const std::string& pairs) {
             EncodingOptions o;
             o.reps = non_negative(reps, "reps");
             o.pairs = parse_feature_pairs(pairs);
             return make_encoding(name, non_negative(qubits, "qubits"), non_negative(features, "num_features"), o);
           }),
           py::arg("name"), py::arg("qubits"), py::arg("num_features"), py::arg("reps") = 0,
           py::arg("pairs") = "full",
           "angle-x|y|z, dense, basis, zz, iqp or amplitude; zz/iqp couple linear, circular or full feature pairs.")
      .def_static("from_circuit", &Encoding::from_circuit, py::arg("feature_map"), py::arg("name") = "custom",
                  "A feature map from a circuit that reads inputs only.")
      .def_property_readonly("name", &Encoding::name)
      .def_property_readonly("num_qubits", &Encoding::num_qubits)
      .def_property_readonly("num_features", &Encoding::num_features)
      .def_property_readonly("circuit", &Encoding::circuit, "The input-parameterised circuit (not for amplitude).")
      .def(
          "state",
          [](const Encoding& e, const py::object& x) {
            const RealArray a = as_real_array(x, "x", 1);
            return e.state(span_of(a));
          },
          py::arg("x"), "|phi(x)> of one sample.");
  m.def("encoding_names", &encoding_names);

  py::class_<FidelityKernel>(m, "FidelityKernel", "k(x, x') = |<phi(x')|phi(x)>|^2 for an encoding phi.")
      .def(py::init<Encoding>(), py::arg("encoding"))
      .def_property_readonly("encoding", &FidelityKernel::encoding)
      .def(
          "__call__",
          [](const FidelityKernel& k, const py::object& x, const py::object& y) {
            const RealArray a = as_real_array(x, "x", 1);
            const RealArray b = as_real_array(y, "y", 1);
            return k(span_of(a), span_of(b));
          },
          py::arg("x"), py::arg("y"))
      .def(
          "matrix",
          [](const FidelityKernel& k, const py::object& a, const py::object& b) {
            const unsigned f = k.encoding().num_features();
            const auto rows = samples(a, f, "a");
            KernelMatrix km;
            if (b.is_none()) {
              py::gil_scoped_release release;
              km = k.matrix(rows);
            } else {
              const auto cols = samples(b, f, "b");
              py::gil_scoped_release release;
              km = k.matrix(rows, cols);
            }
            return matrix_to_numpy(std::move(km));
          },
          py::arg("a"), py::arg("b") = py::none(),
          "Gram matrix K_ij = k(a_i, a_j) (exactly symmetric), or K_ij = k(a_i, b_j) between two sets.");

  py::class_<KernelSvm> svm(m, "KernelSvm", R"doc(Soft-margin SVM by SMO on a precomputed kernel matrix (one machine
for two classes, one-vs-rest for more).)doc");
  svm.def(py::init([](double C, double tolerance, std::int64_t max_iterations) {
            if (!(C > 0) || !std::isfinite(C)) throw py::value_error("C must be a positive number, got " + std::to_string(C));
            if (!(tolerance > 0)) throw py::value_error("tolerance must be positive, got " + std::to_string(tolerance));
            return KernelSvm(SvmOptions{C, tolerance, non_negative64(max_iterations, "max_iterations")});
          }),
          py::arg("C") = 1.0, py::arg("tolerance") = 1e-4, py::arg("max_iterations") = 0)
      .def_property_readonly("num_support_vectors", &KernelSvm::num_support_vectors)
      .def_property_readonly("num_machines", &KernelSvm::num_machines);
  bind_machine_methods(svm);
  py::class_<KernelRidgeClassifier> ridge(m, "KernelRidgeClassifier",
                                          "Kernel ridge classification, one +-1 regression per class.");
  ridge.def(py::init<double>(), py::arg("regularisation") = 1e-3);
  bind_machine_methods(ridge);
  m.def(
      "prediction_accuracy",
      [](const py::object& predicted, const py::object& labels) {
        const auto p = as_int_vector(predicted, "predicted");
        const auto l = as_int_vector(labels, "labels");
        if (p.size() != l.size()) throw py::value_error("predicted and labels differ in length");
        std::vector<int> pi(p.begin(), p.end()), li(l.begin(), l.end());
        return prediction_accuracy(pi, li);
      },
      py::arg("predicted"), py::arg("labels"));
}

}  // namespace qnn::python
