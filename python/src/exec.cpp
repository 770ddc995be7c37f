// Running circuits: simulate, expval, and expval_batch — one circuit over a NumPy batch of inputs on the batched
// simulator (amplitude-major, sample-minor; the forward pass of the batched adjoint sweep), in fixed chunks run in
// parallel. The GIL is released while simulating.
#include <algorithm>

#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "observables.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/exec/batched.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn::python {

namespace {

// Samples per batched state: enough to amortise each gate's dispatch, small enough to stay in cache, and fixed, so the
// numbers do not depend on the thread count; 32 as the trainer's chunks (src/ml/trainer.cpp has the measurements).
constexpr std::size_t kChunk = 32;

}  // namespace

void bind_exec(py::module_& m) {
  m.def(
      "simulate",
      [](const Circuit& c, const py::object& theta, const py::object& x) {
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        py::gil_scoped_release release;
        return simulate<double>(c, span_of(th), span_of(xs));
      },
      py::arg("circuit"), py::arg("theta") = py::none(), py::arg("x") = py::none(),
      "U(theta, x)|0...0> as a StateVector.");
  m.def(
      "run",
      [](const Circuit& c, StateVector<double>& psi, const py::object& theta, const py::object& x) {
        if (c.num_qubits() != psi.num_qubits()) {
          throw py::value_error("circuit has " + std::to_string(c.num_qubits()) + " qubits but the state has " +
                                std::to_string(psi.num_qubits()));
        }
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        py::gil_scoped_release release;
        run(c, psi, span_of(th), span_of(xs));
      },
      py::arg("circuit"), py::arg("state"), py::arg("theta") = py::none(), py::arg("x") = py::none(),
      "state <- U(theta, x) state, in place.");
  m.def(
      "expval",
      [](const Circuit& c, const py::object& observable, const py::object& theta, const py::object& x) {
        bool single = false;
        const std::vector<PauliSum> obs = observables_of(observable, c.num_qubits(), &single);
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        std::vector<double> values(obs.size());
        {
          py::gil_scoped_release release;
          const StateVector<double> psi = simulate<double>(c, span_of(th), span_of(xs));
          for (std::size_t k = 0; k < obs.size(); ++k) values[k] = expectation(psi, obs[k]);
        }
        return single ? py::object(py::float_(values[0])) : py::object(to_numpy(std::move(values)));
      },
      py::arg("circuit"), py::arg("observable"), py::arg("theta") = py::none(), py::arg("x") = py::none(),
      "<O> of U(theta, x)|0...0>: a float for one observable, an array for a list of them.");
  m.def(
      "expval_batch",
      [](const Circuit& c, const py::object& observables, const py::object& theta, const py::object& inputs) {
        const std::vector<PauliSum> obs = observables_of(observables, c.num_qubits());
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(inputs, "inputs", 2);
        const auto B = static_cast<std::size_t>(xs.shape(0));
        const auto F = static_cast<std::size_t>(xs.shape(1));
        const std::size_t K = obs.size();
        std::vector<double> out(B * K);
        {
          py::gil_scoped_release release;
          // At least one: an empty batch still has θ checked (and gives empty values).
          const std::size_t chunks = std::max<std::size_t>(1, (B + kChunk - 1) / kChunk);
          // A chunk's error (a short θ, a NaN input) is rethrown here by parallel_tasks, then raised in Python.
          parallel_tasks(chunks, [&](std::uint64_t ch) {
            const std::size_t first = ch * kChunk, n = std::min(B, first + kChunk) - first;
            const std::vector<double> e = expval_batched<double>(
                c, obs, span_of(th), BatchInputs{{xs.data() + first * F, n * F}, F}, static_cast<unsigned>(n));
            std::copy(e.begin(), e.end(), out.begin() + static_cast<std::ptrdiff_t>(first * K));
          }, c.size() * (std::uint64_t{1} << c.num_qubits()) * kChunk);
        }
        return to_numpy(std::move(out), {static_cast<py::ssize_t>(B), static_cast<py::ssize_t>(K)});
      },
      py::arg("circuit"), py::arg("observables"), py::arg("theta"), py::arg("inputs"),
      "<O_k> for every row x_b of `inputs` (B x F): a B x K array, on the batched simulator.");
}

}  // namespace qnn::python
