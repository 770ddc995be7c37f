// Quantum error correction: logical error rates of CSS-code memory experiments (sampled with Pauli frames and
// decoded), as `qnn qec` runs them. The GIL is released while sampling and decoding.
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/qec/css_code.hpp"
#include "qnn/qec/decoder.hpp"
#include "qnn/qec/error_analysis.hpp"
#include "qnn/qec/memory_circuit.hpp"
#include "qnn/qec/memory_experiment.hpp"

namespace qnn::python {

void bind_qec(py::module_& m) {
  py::module_ q = m.def_submodule("qec", "Quantum error correction: CSS-code memory experiments and decoders.");
  py::class_<qec::LogicalErrorRate>(q, "LogicalErrorRate", "Failures over shots, with a 95 % Wilson interval.")
      .def_readonly("shots", &qec::LogicalErrorRate::shots)
      .def_readonly("failures", &qec::LogicalErrorRate::failures)
      .def_readonly("rate", &qec::LogicalErrorRate::rate)
      .def_readonly("low", &qec::LogicalErrorRate::low)
      .def_readonly("high", &qec::LogicalErrorRate::high)
      .def("__repr__", [](const qec::LogicalErrorRate& r) {
        return "LogicalErrorRate(" + std::to_string(r.failures) + "/" + std::to_string(r.shots) + " = " +
               std::to_string(r.rate) + ")";
      });
  q.def("code_names", [] {
    std::vector<std::string> out;
    for (const auto n : qec::code_names()) out.emplace_back(n);
    return out;
  });
  q.def("decoder_names", [] {
    std::vector<std::string> out;
    for (const auto n : qec::decoder_names()) out.emplace_back(n);
    return out;
  });
  q.def(
      "memory_experiment",
      [](const std::string& code, std::int64_t distance, std::int64_t rounds, const std::string& basis,
         const std::string& noise, double p, const std::string& decoder, std::int64_t shots, std::int64_t seed) {
        if (basis != "Z" && basis != "X" && basis != "z" && basis != "x") {
          throw py::value_error("basis must be Z or X, got '" + basis + "'");
        }
        const qec::Basis b = basis == "X" || basis == "x" ? qec::Basis::X : qec::Basis::Z;
        const qec::CssCode css = qec::make_code(code, non_negative(distance, "distance"), b);
        const qec::MemoryOptions mo{non_negative(rounds, "rounds"), b, qec::parse_noise_model(noise), p};
        qec::ExperimentOptions eo;
        eo.shots = non_negative64(shots, "shots");
        eo.seed = non_negative64(seed, "seed");
        py::gil_scoped_release release;
        const auto circuit = qec::memory_circuit(css, mo);
        const auto dem = qec::detector_error_model(circuit);
        return qec::run_memory_experiment(circuit, dem, decoder, eo);
      },
      py::arg("code") = "surface", py::arg("distance") = 3, py::arg("rounds") = 3, py::arg("basis") = "Z",
      py::arg("noise") = "circuit", py::arg("p") = 0.001, py::arg("decoder") = "mwpm", py::arg("shots") = 10000,
      py::arg("seed") = 1,
      R"doc(Logical error rate of a memory experiment: prepare the code's logical state, run `rounds` rounds of
syndrome extraction under the noise model (none, code-capacity, phenomenological, circuit) with error rate p,
sample `shots` shots and decode each (qnn.qec.decoder_names()).)doc");
}

}  // namespace qnn::python
