// The circuit layer: angle expressions over θ and x, the gate table, and Circuit with one builder method per gate
// of the table (c.ry(0, theta(0)).cx(0, 1)), each returning the circuit itself so calls chain.
#include <cmath>
#include <sstream>

#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/gate.hpp"

namespace qnn::python {

namespace {

std::vector<unsigned> qubit_list(const py::handle& obj, const char* name) {
  std::vector<unsigned> out;
  if (obj.is_none()) return out;
  for (const std::int64_t q : as_int_vector(obj, name)) out.push_back(non_negative(q, name));
  return out;
}

std::string arity_text(const GateInfo& g) {
  std::string s = std::string(g.name) + " takes " + std::to_string(g.num_qubits) + " qubit" +
                  (g.num_qubits == 1 ? "" : "s");
  if (g.num_params > 0) s += " and " + std::to_string(g.num_params) + " angle" + (g.num_params == 1 ? "" : "s");
  return s;
}

// c.NAME(q0, …, angle0, …, controls=None): the qubits of the table entry (controls first), then its angles.
py::object add_gate(py::object self, const GateInfo& g, const py::args& args, const py::object& controls) {
  if (args.size() != g.num_qubits + g.num_params) {
    throw py::type_error(arity_text(g) + ", got " + std::to_string(args.size()) + " arguments");
  }
  std::vector<unsigned> qubits;
  for (unsigned k = 0; k < g.num_qubits; ++k) {
    const py::handle a = args[k];
    if (!py::isinstance<py::int_>(a) && !py::hasattr(a, "__index__")) {
      throw py::type_error(std::string(g.name) + ": qubit " + std::to_string(k) + " must be an int, got " +
                           std::string(py::str(py::type::of(a))));
    }
    qubits.push_back(non_negative(a.cast<std::int64_t>(), "qubit"));
  }
  std::vector<Expr> params;
  for (unsigned k = 0; k < g.num_params; ++k) {
    const py::handle a = args[g.num_qubits + k];
    try {
      params.push_back(a.cast<Expr>());
    } catch (const py::cast_error&) {
      throw py::type_error(std::string(g.name) + ": angle " + std::to_string(k) +
                           " must be a number or a qnn.Expr, got " + std::string(py::str(py::type::of(a))));
    }
  }
  self.cast<Circuit&>().add(g.kind, std::move(qubits), std::move(params), qubit_list(controls, "controls"));
  return self;
}

std::string operation_repr(const Operation& op) {
  std::ostringstream s;
  s << op.info().name;
  if (!op.params.empty()) {
    s << '(';
    for (std::size_t k = 0; k < op.params.size(); ++k) s << (k ? ", " : "") << op.params[k].to_string();
    s << ')';
  }
  for (std::size_t k = 0; k < op.qubits.size(); ++k) s << (k ? ", " : " ") << op.qubits[k];
  if (!op.controls.empty()) {
    s << " controls";
    for (unsigned c : op.controls) s << ' ' << c;
  }
  return s.str();
}

py::array_t<std::complex<double>> square(std::vector<cplx>&& m) {
  const auto dim = static_cast<py::ssize_t>(std::llround(std::sqrt(double(m.size()))));
  return to_numpy(std::move(m), {dim, dim});
}

}  // namespace

void bind_circuit(py::module_& m) {
  py::class_<Expr> expr(m, "Expr", R"doc(An angle as an expression over trainable weights theta(i) and inputs x(j).

Built with arithmetic: ``0.5 * qnn.x(0) + qnn.theta(1)``, ``qnn.cos(qnn.x(0))``; numbers convert implicitly.)doc");
  expr.def(py::init<double>(), py::arg("value") = 0.0, "A constant angle.")
      .def_property_readonly("num_theta", &Expr::num_theta, "1 + the largest theta index read (0 if none).")
      .def_property_readonly("num_inputs", &Expr::num_inputs, "1 + the largest input index read (0 if none).")
      .def_property_readonly("is_constant", &Expr::is_constant)
      .def(
          "eval",
          [](const Expr& e, const py::object& theta, const py::object& x) {
            const RealArray th = as_real_array(theta, "theta", 1, true);
            const RealArray xs = as_real_array(x, "x", 1, true);
            return e.eval(span_of(th), span_of(xs));
          },
          py::arg("theta") = py::none(), py::arg("x") = py::none(), "The value at (theta, x).")
      .def("__str__", [](const Expr& e) { return e.to_string(); })
      .def("__repr__", [](const Expr& e) { return "Expr('" + e.to_string() + "')"; })
      .def(py::self + py::self)
      .def(py::self - py::self)
      .def(py::self * py::self)
      .def(py::self / py::self)
      .def(-py::self)
      .def(double() + py::self)
      .def(double() - py::self)
      .def(double() * py::self)
      .def(double() / py::self)
      .def("__pow__", [](const Expr& a, const Expr& b) { return pow(a, b); }, py::is_operator())
      .def("__rpow__", [](const Expr& a, double b) { return pow(Expr(b), a); }, py::is_operator());
  py::implicitly_convertible<py::float_, Expr>();
  py::implicitly_convertible<py::int_, Expr>();
  m.def("theta", [](std::int64_t i) { return Expr::theta(non_negative(i, "theta index")); }, py::arg("i"),
        "Trainable weight theta[i].");
  m.def("x", [](std::int64_t j) { return Expr::input(non_negative(j, "input index")); }, py::arg("j"),
        "Input feature x[j].");
  m.def("sin", [](const Expr& a) { return sin(a); }, py::arg("a"));
  m.def("cos", [](const Expr& a) { return cos(a); }, py::arg("a"));
  m.def("tan", [](const Expr& a) { return tan(a); }, py::arg("a"));
  m.def("exp", [](const Expr& a) { return exp(a); }, py::arg("a"));
  m.def("log", [](const Expr& a) { return log(a); }, py::arg("a"));
  m.def("sqrt", [](const Expr& a) { return sqrt(a); }, py::arg("a"));

  py::class_<GateInfo>(m, "GateInfo", "One entry of the gate table.")
      .def_property_readonly("name", [](const GateInfo& g) { return std::string(g.name); })
      .def_readonly("num_qubits", &GateInfo::num_qubits, "controls + targets (0: any, for unitary)")
      .def_readonly("num_controls", &GateInfo::num_controls)
      .def_readonly("num_params", &GateInfo::num_params)
      .def_property_readonly("help", [](const GateInfo& g) { return std::string(g.help); })
      .def_property_readonly("diagonal", [](const GateInfo& g) { return g.has(kDiagonal); })
      .def_property_readonly("permutation", [](const GateInfo& g) { return g.has(kPermutation); })
      .def_property_readonly("clifford", [](const GateInfo& g) { return g.has(kClifford); })
      .def_property_readonly("self_inverse", [](const GateInfo& g) { return g.has(kSelfInverse); })
      .def("__repr__", [](const GateInfo& g) { return "GateInfo('" + std::string(g.name) + "')"; });
  m.def(
      "gates", [] { return std::vector<GateInfo>(gate_table().begin(), gate_table().end()); },
      "The gate table: every gate kind qnn knows, in a fixed order.");
  m.def(
      "gate_matrix",
      [](const std::string& name, const py::object& params) {
        const GateInfo* g = find_gate(name);
        if (g == nullptr || g->kind == GateKind::Unitary) throw py::value_error("unknown gate '" + name + "'");
        const RealArray p = as_real_array(params, "params", 1, true);
        if (static_cast<unsigned>(p.size()) != g->num_params) {
          throw py::value_error(arity_text(*g) + ", got " + std::to_string(p.size()) + " angles");
        }
        const GateMatrix gm = gate_matrix(g->kind, span_of(p));
        return square({gm.span().begin(), gm.span().end()});
      },
      py::arg("name"), py::arg("params") = py::none(),
      "The matrix of a gate on its targets (little-endian: bit j of a row index is target j).");

  py::class_<Operation>(m, "Operation", "One gate of a circuit (read-only).")
      .def_property_readonly("name", [](const Operation& op) { return std::string(op.info().name); })
      .def_readonly("qubits", &Operation::qubits, "The gate's own qubits: its controls first, then targets.")
      .def_readonly("controls", &Operation::controls, "Extra controls added on top of the gate.")
      .def_readonly("params", &Operation::params)
      .def("__repr__", &operation_repr);

  py::class_<Circuit> circuit(m, "Circuit", R"doc(A list of gates on n qubits whose angles are expressions over theta and x.

Qubit k is bit k of an amplitude index (little-endian). Builder methods return the circuit, so they chain:
``qnn.Circuit(2).h(0).cx(0, 1).ry(1, qnn.theta(0))``. Every method takes the gate's qubits (controls first), then its
angles, and an optional ``controls=[...]`` list of extra control qubits.)doc");
  circuit
      .def(py::init([](std::int64_t n) { return Circuit(non_negative(n, "num_qubits")); }), py::arg("num_qubits"))
      .def_property_readonly("num_qubits", &Circuit::num_qubits)
      .def_property_readonly("num_theta", &Circuit::num_theta, "Length of a weight vector for this circuit.")
      .def_property_readonly("num_inputs", &Circuit::num_inputs, "Length of an input vector for this circuit.")
      .def_property_readonly("operations", &Circuit::ops)
      .def("__len__", &Circuit::size)
      .def("__repr__",
           [](const Circuit& c) {
             return "Circuit(" + std::to_string(c.num_qubits()) + " qubits, " + std::to_string(c.size()) +
                    " operations, " + std::to_string(c.num_theta()) + " weights, " + std::to_string(c.num_inputs()) +
                    " inputs)";
           })
      .def("copy", [](const Circuit& c) { return Circuit(c); })
      .def("__copy__", [](const Circuit& c) { return Circuit(c); })
      .def("__deepcopy__", [](const Circuit& c, const py::dict&) { return Circuit(c); }, py::arg("memo"))
      .def("inverse", &Circuit::inverse, "The adjoint circuit U†.")
      .def(
          "append", [](py::object self, const Circuit& other) {
            self.cast<Circuit&>().append(other);
            return self;
          },
          py::arg("other"), "Append every operation of another circuit on the same or fewer qubits.")
      .def(
          "add",
          [](py::object self, const std::string& name, const py::object& qubits, const std::vector<Expr>& params,
             const py::object& controls) {
            const GateInfo* g = find_gate(name);
            if (g == nullptr || g->kind == GateKind::Unitary) throw py::value_error("unknown gate '" + name + "'");
            self.cast<Circuit&>().add(g->kind, qubit_list(qubits, "qubits"), params, qubit_list(controls, "controls"));
            return self;
          },
          py::arg("name"), py::arg("qubits"), py::arg("params") = std::vector<Expr>{},
          py::arg("controls") = py::none(), "Append a gate of the table by its OpenQASM name.")
      .def(
          "unitary",
          [](py::object self, const py::object& targets, const py::object& matrix, const py::object& controls) {
            const std::vector<unsigned> t = qubit_list(targets, "targets");
            const ComplexArray u = as_complex_array(matrix, "matrix", 2);
            const std::size_t dim = std::size_t{1} << std::min<std::size_t>(t.size(), 30);
            if (u.shape(0) != static_cast<py::ssize_t>(dim) || u.shape(1) != static_cast<py::ssize_t>(dim)) {
              throw py::value_error("matrix on " + std::to_string(t.size()) + " qubits must be " +
                                    std::to_string(dim) + " x " + std::to_string(dim) + ", got " +
                                    std::to_string(u.shape(0)) + " x " + std::to_string(u.shape(1)));
            }
            self.cast<Circuit&>().unitary(t, std::vector<cplx>(u.data(), u.data() + u.size()),
                                          qubit_list(controls, "controls"));
            return self;
          },
          py::arg("targets"), py::arg("matrix"), py::arg("controls") = py::none(),
          "Append a user unitary (2^k x 2^k, checked for unitarity) on k target qubits.");
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary) continue;
    const std::string doc = std::string(g.help) + " (" + arity_text(g) + ")";
    circuit.def(
        std::string(g.name).c_str(),
        [&g](py::object self, const py::args& args, const py::object& controls) {
          return add_gate(std::move(self), g, args, controls);
        },
        py::arg("controls") = py::none(), doc.c_str());
  }
  circuit.def(
      "cnot",
      [](py::object self, const py::args& args, const py::object& controls) {
        return add_gate(std::move(self), gate_info(GateKind::CX), args, controls);
      },
      py::arg("controls") = py::none(), "Same as cx.");
}

}  // namespace qnn::python
