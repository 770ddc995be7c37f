// StateVector (double precision): its amplitudes are a NumPy view of the simulator's own memory (no copy; the view
// keeps the state alive), so `np.asarray(state)` or `state.amplitudes` costs nothing for any size.
#include <pybind11/complex.h>
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/exec/shots.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn::python {

namespace {

using State = StateVector<double>;

py::array_t<std::complex<double>> view(const py::object& self) {
  State& s = self.cast<State&>();
  return py::array_t<std::complex<double>>({static_cast<py::ssize_t>(s.size())}, {sizeof(std::complex<double>)},
                                            s.data(), self);
}

unsigned qubit_of(const State& s, std::int64_t q) {
  const unsigned u = non_negative(q, "qubit");
  if (u >= s.num_qubits()) {
    throw py::value_error("qubit " + std::to_string(q) + " out of range for " + std::to_string(s.num_qubits()) +
                          " qubits");
  }
  return u;
}

std::vector<unsigned> qubits_of(const State& s, const py::handle& obj, const char* name) {
  std::vector<unsigned> out;
  if (obj.is_none()) return out;
  for (const std::int64_t q : as_int_vector(obj, name)) out.push_back(qubit_of(s, q));
  return out;
}

}  // namespace

void bind_sim(py::module_& m) {
  py::class_<State>(m, "StateVector", R"doc(A pure state of n qubits: 2^n complex128 amplitudes.

Qubit k is bit k of the amplitude index (little-endian). ``state.amplitudes`` and ``np.asarray(state)`` are views of
the simulator's memory (no copy, writable); the view keeps the state alive.)doc")
      .def(py::init([](std::int64_t n) { return State(non_negative(n, "num_qubits", State::kMaxQubits)); }),
           py::arg("num_qubits"), "|0...0> on n qubits (MemoryError, before allocating, if it cannot fit).")
      .def_static(
          "from_amplitudes",
          [](const py::object& amplitudes) {
            const ComplexArray a = as_complex_array(amplitudes, "amplitudes", 1);
            return State::from_amplitudes({a.data(), static_cast<std::size_t>(a.size())});
          },
          py::arg("amplitudes"), "A state with these amplitudes (a power-of-two count; copied, not renormalised).")
      .def_property_readonly("num_qubits", &State::num_qubits)
      .def("__len__", &State::size)
      .def_property_readonly("amplitudes", &view, "The amplitudes as a NumPy view (no copy).")
      .def(
          "__array__",
          [](const py::object& self, const py::object& dtype) -> py::object {
            py::array v = view(self);
            return dtype.is_none() ? py::object(v) : v.attr("astype")(dtype);
          },
          py::arg("dtype") = py::none())
      .def("copy", [](const State& s) { return State(s); })
      .def("probabilities", [](const State& s) { return to_numpy(s.probabilities()); },
           "|psi_i|^2 for every basis state i.")
      .def("probability_one", [](const State& s, std::int64_t q) { return s.probability_one(qubit_of(s, q)); },
           py::arg("qubit"), "Probability that the qubit reads 1.")
      .def(
          "sample",
          [](const State& s, std::int64_t shots, std::int64_t seed) {
            Rng rng(non_negative64(seed, "seed"));
            const std::uint64_t n = non_negative64(shots, "shots");
            std::vector<index_t> out;
            {
              py::gil_scoped_release release;
              out = s.sample(n, rng);
            }
            return to_numpy(std::move(out));
          },
          py::arg("shots"), py::arg("seed") = 1, "Basis-state indices of `shots` measurements (seeded).")
      .def(
          "measure",
          [](State& s, std::int64_t q, std::int64_t seed) {
            Rng rng(non_negative64(seed, "seed"));
            return s.measure(qubit_of(s, q), rng);
          },
          py::arg("qubit"), py::arg("seed") = 1, "Measure one qubit in Z, collapse, and return 0 or 1.")
      .def("norm_squared", &State::norm_squared)
      .def("normalize", &State::normalize)
      .def("inner", [](const State& a, const State& b) {
             if (a.num_qubits() != b.num_qubits()) throw py::value_error("inner: states have different qubit counts");
             return a.inner(b);
           }, py::arg("other"), "<self|other>.")
      .def(
          "expectation", [](const State& s, const PauliSum& obs) { return expectation(s, obs); },
          py::arg("observable"), "<psi|O|psi> for a Pauli sum (or a string such as 'Z0 Z1').")
      .def(
          "estimate_expectation",
          [](const State& s, const PauliSum& obs, std::int64_t shots, std::int64_t seed) {
            if (shots < 1) throw py::value_error("shots must be >= 1, got " + std::to_string(shots));
            Rng rng(non_negative64(seed, "seed"));
            py::gil_scoped_release release;
            return estimate_expectation(s, obs, static_cast<std::uint64_t>(shots), rng);
          },
          py::arg("observable"), py::arg("shots"), py::arg("seed") = 1,
          "<O> estimated from `shots` measurements per qubit-wise commuting group.")
      .def(
          "apply_matrix",
          [](State& s, const py::object& targets, const py::object& matrix, const py::object& controls) {
            const std::vector<unsigned> t = qubits_of(s, targets, "targets");
            const std::vector<unsigned> c = qubits_of(s, controls, "controls");
            const ComplexArray u = as_complex_array(matrix, "matrix", 2);
            const auto dim = static_cast<py::ssize_t>(std::size_t{1} << std::min<std::size_t>(t.size(), 30));
            if (t.empty() || u.shape(0) != dim || u.shape(1) != dim) {
              throw py::value_error("matrix on " + std::to_string(t.size()) + " targets must be " +
                                    std::to_string(dim) + " x " + std::to_string(dim));
            }
            s.apply_matrix(t, {u.data(), static_cast<std::size_t>(u.size())}, c);
          },
          py::arg("targets"), py::arg("matrix"), py::arg("controls") = py::none(),
          "Apply a 2^k x 2^k matrix on k targets (row index bit j = target j), controlled on `controls`.")
      .def("__repr__", [](const State& s) {
        return "StateVector(" + std::to_string(s.num_qubits()) + " qubits)";
      });
}

}  // namespace qnn::python
