// The extension module qnn._qnn; python/qnn/__init__.py re-exports it as `qnn`.
#include "module.hpp"
#include "qnn/core/parallel.hpp"

PYBIND11_MODULE(_qnn, m) {
  namespace py = pybind11;
  using namespace qnn::python;
  m.doc() = "qnn: quantum neural networks on a fast state-vector simulator (C++ core).";
  bind_errors(m);
  bind_circuit(m);
  bind_pauli(m);
  bind_sim(m);
  bind_exec(m);
  bind_diff(m);
  bind_io(m);
  bind_dataset(m);
  bind_classifier(m);
  bind_kernel(m);
  bind_noise(m);
  bind_qec(m);
  m.def("num_threads", &qnn::num_threads, "Threads the simulator uses (QNN_THREADS, or all cores).");
  m.def(
      "set_num_threads",
      [](int n) {
        if (n < 1) throw py::value_error("threads must be >= 1, got " + std::to_string(n));
        qnn::set_num_threads(n);
      },
      py::arg("n"), "Use n threads (results do not depend on the count).");
  m.attr("__version__") = "0.1.0";
}
