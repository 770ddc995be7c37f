// OpenQASM 2.0 / 3 in and out, and text drawings. Parse errors raise qnn.QasmError (a ValueError) whose message is
// the CLI's `file:line:column: what`.
#include <filesystem>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/io/circuit_drawing.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::python {

namespace {

qasm::Program program_of(const py::handle& obj) {
  if (py::isinstance<qasm::Program>(obj)) return obj.cast<qasm::Program>();
  if (py::isinstance<Circuit>(obj)) return qasm::from_circuit(obj.cast<const Circuit&>());
  throw py::type_error("expected a qnn.Circuit or a qnn.qasm.Program");
}

}  // namespace

void bind_io(py::module_& m) {
  py::module_ q = m.def_submodule("qasm", "OpenQASM 2.0 and 3: read, write, run.");
  py::class_<qasm::Program>(q, "Program", "A parsed OpenQASM program (qubit k of the program is bit k of an index).")
      .def_readonly("version", &qasm::Program::version)
      .def_readonly("num_qubits", &qasm::Program::num_qubits)
      .def_readonly("num_clbits", &qasm::Program::num_clbits)
      .def_readonly("parameters", &qasm::Program::parameters, "OpenQASM 3 `input float` names; parameter i is theta(i).")
      .def("__len__", [](const qasm::Program& p) { return p.body.size(); })
      .def("is_unitary_with_terminal_measurements", &qasm::Program::is_unitary_with_terminal_measurements)
      .def("circuit", &qasm::Program::unitary_part,
           "The gates as a Circuit (ValueError for resets, conditions or mid-circuit measurements).")
      .def(
          "bind_parameters",
          [](const qasm::Program& p, const std::map<std::string, double>& values) {
            return to_numpy(qasm::bind_parameters(p, values));
          },
          py::arg("values"), "theta for the program's inputs from {name: value}.")
      .def(
          "sample_counts",
          [](const qasm::Program& p, std::int64_t shots, const py::object& theta, std::int64_t seed) {
            const RealArray th = as_real_array(theta, "theta", 1, true);
            const std::uint64_t n = non_negative64(shots, "shots");
            const std::uint64_t s = non_negative64(seed, "seed");
            py::gil_scoped_release release;
            return qasm::sample_counts<double>(p, n, span_of(th), s);
          },
          py::arg("shots"), py::arg("theta") = py::none(), py::arg("seed") = 1,
          "{bit string (bit 0 rightmost): count} over `shots` seeded runs.")
      .def("__repr__", [](const qasm::Program& p) {
        return "Program(OpenQASM " + std::to_string(p.version) + ", " + std::to_string(p.num_qubits) + " qubits, " +
               std::to_string(p.body.size()) + " instructions)";
      });
  q.def("parse", &qasm::parse, py::arg("source"), py::arg("file_name") = "<input>",
        py::arg("include_dir") = std::filesystem::path{},
        "Parse OpenQASM 2.0 or 3 text (raises qnn.QasmError `file:line:col: what`).");
  q.def("read_file", &qasm::read_file, py::arg("path"), "Read and parse an OpenQASM file.");
  q.def("from_circuit", &qasm::from_circuit, py::arg("circuit"));
  q.def(
      "write_qasm2",
      [](const py::object& what, const py::object& theta, const py::object& inputs) {
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(inputs, "inputs", 1, true);
        return qasm::write_qasm2(program_of(what), span_of(th), span_of(xs));
      },
      py::arg("program"), py::arg("theta") = py::none(), py::arg("inputs") = py::none(),
      "OpenQASM 2.0 text of a Program or Circuit with every angle bound.");
  q.def(
      "write_qasm3",
      [](const py::object& what, const py::object& theta, const py::object& inputs) {
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(inputs, "inputs", 1, true);
        return qasm::write_qasm3(program_of(what), span_of(th), span_of(xs));
      },
      py::arg("program"), py::arg("theta") = py::none(), py::arg("inputs") = py::none(),
      "OpenQASM 3 text; unbound theta and x become `input float[64]` parameters.");

  m.def(
      "draw",
      [](const py::object& what, std::int64_t width) {
        const DrawOptions options{non_negative(width, "width")};
        if (py::isinstance<Circuit>(what)) return draw(what.cast<const Circuit&>(), options);
        return draw(program_of(what), options);
      },
      py::arg("circuit"), py::arg("width") = 100, "A text diagram, one wire per qubit (qubit 0 at the top).");
}

}  // namespace qnn::python
