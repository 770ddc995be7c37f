// Observables: Pauli strings and real-weighted sums of them. `qnn.Z(0) * qnn.Z(1)`, `0.5 * qnn.X(2)`, and
// `qnn.PauliSum("Z0 Z1 + 0.5 X2")`; a string or a PauliString is accepted wherever an observable is.
#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "observables.hpp"
#include "qnn/circuit/pauli.hpp"

namespace qnn::python {

void bind_pauli(py::module_& m) {
  py::class_<PauliString> ps(m, "PauliString", "A tensor product of single-qubit Paulis (identity elsewhere).");
  ps.def(py::init<>(), "The identity.")
      .def(py::init([](const std::string& pauli, std::int64_t qubit) {
             if (pauli.size() != 1) throw py::value_error("pauli must be one of I, X, Y, Z, got '" + pauli + "'");
             return PauliString(pauli[0], non_negative(qubit, "qubit"));
           }),
           py::arg("pauli"), py::arg("qubit"), "One Pauli ('I', 'X', 'Y' or 'Z') on one qubit.")
      .def_property_readonly("factors", &PauliString::factors, "qubit -> 'X' | 'Y' | 'Z'")
      .def_property_readonly("min_qubits", &PauliString::min_qubits)
      .def("__str__", &PauliString::to_string)
      .def("__repr__", [](const PauliString& p) { return "PauliString('" + p.to_string() + "')"; })
      .def(py::self == py::self)
      .def(py::self * py::self)
      .def("__mul__", [](const PauliString& p, double s) { return s * p; }, py::is_operator())
      .def("__rmul__", [](const PauliString& p, double s) { return s * p; }, py::is_operator())
      .def("__add__", [](const PauliString& a, const PauliSum& b) { return PauliSum(a) + b; }, py::is_operator())
      .def("__sub__", [](const PauliString& a, const PauliSum& b) { return PauliSum(a) - b; }, py::is_operator())
      .def("__neg__", [](const PauliString& p) { return -1.0 * p; });
  m.def("X", [](std::int64_t q) { return X(non_negative(q, "qubit")); }, py::arg("qubit"), "Pauli X on one qubit.");
  m.def("Y", [](std::int64_t q) { return Y(non_negative(q, "qubit")); }, py::arg("qubit"), "Pauli Y on one qubit.");
  m.def("Z", [](std::int64_t q) { return Z(non_negative(q, "qubit")); }, py::arg("qubit"), "Pauli Z on one qubit.");

  py::class_<PauliSum> sum(m, "PauliSum", "A Hermitian observable: sum_k c_k P_k with real c_k.");
  sum.def(py::init<>())
      .def(py::init([](std::string_view text) { return parse_pauli_sum(text); }), py::arg("text"),
           "Parse 'Z0 Z1 + 0.5 X2 - 2*Y1' (raises qnn.ParseError with the column).")
      .def(py::init<const PauliString&>(), py::arg("string"))
      .def(py::init([](const std::vector<std::pair<double, PauliString>>& terms) {
             PauliSum s;
             for (const auto& [c, p] : terms) s.add(c, p);
             return s;
           }),
           py::arg("terms"), "From (coefficient, PauliString) pairs.")
      .def_property_readonly("terms",
                             [](const PauliSum& s) {
                               std::vector<std::pair<double, PauliString>> out;
                               for (const auto& t : s.terms()) out.emplace_back(t.coeff, t.string);
                               return out;
                             })
      .def_property_readonly("min_qubits", &PauliSum::min_qubits)
      .def("__str__", &PauliSum::to_string)
      .def("__repr__", [](const PauliSum& s) { return "PauliSum('" + s.to_string() + "')"; })
      .def(py::self + py::self)
      .def(py::self - py::self)
      .def(py::self * double())
      .def(double() * py::self)
      .def(py::self * PauliString())
      .def("__neg__", [](const PauliSum& s) { return s * -1.0; });
  py::implicitly_convertible<PauliString, PauliSum>();
  py::implicitly_convertible<py::str, PauliSum>();
}

}  // namespace qnn::python

namespace qnn::python {

std::vector<PauliSum> observables_of(const py::handle& obj, unsigned num_qubits, bool* single) {
  std::vector<PauliSum> out;
  const bool one = py::isinstance<PauliSum>(obj) || py::isinstance<PauliString>(obj) || py::isinstance<py::str>(obj);
  if (single != nullptr) *single = one;
  if (one) {
    out.push_back(obj.cast<PauliSum>());
  } else if (py::isinstance<py::sequence>(obj)) {
    for (const py::handle item : obj.cast<py::sequence>()) out.push_back(item.cast<PauliSum>());
  } else {
    throw py::type_error("observables must be a PauliSum, a PauliString, a string such as 'Z0 Z1', or a list of them");
  }
  if (out.empty()) throw py::value_error("observables must not be empty");
  for (const PauliSum& o : out) {
    if (o.min_qubits() > num_qubits) {
      throw py::value_error("observable '" + o.to_string() + "' acts on qubit " + std::to_string(o.min_qubits() - 1) +
                            " but the circuit has " + std::to_string(num_qubits) + " qubits");
    }
  }
  return out;
}

}  // namespace qnn::python
