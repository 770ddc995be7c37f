// Gradients: adjoint (exact, a few forward passes for any number of weights), parameter-shift (hardware-style, exact
// or from shots), SPSA, central finite differences, and the batched adjoint vector-Jacobian product that
// qnn.torch.QuantumLayer's backward pass calls. Results come back as NumPy arrays that own the C++ vectors.
#include <algorithm>
#include <cmath>

#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "observables.hpp"
#include "qnn/circuit/light_cone.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/diff/parameter_shift.hpp"

namespace qnn::python {

namespace {

struct PyGradient {
  double value = 0;
  py::array_t<double> theta;
  py::array_t<double> x;
};

PyGradient to_python(Gradient&& g) { return {g.value, to_numpy(std::move(g.theta)), to_numpy(std::move(g.x))}; }

PauliSum one_observable(const Circuit& c, const py::object& obj) {
  bool single = false;
  std::vector<PauliSum> obs = observables_of(obj, c.num_qubits(), &single);
  if (!single) throw py::type_error("observable must be one PauliSum, PauliString or string, not a list");
  return std::move(obs[0]);
}

// Samples per batched adjoint sweep: fixed, so results do not depend on the thread count; 32 as the trainer's chunks
// (src/ml/trainer.cpp has the measurements): a batch of 64 is two tasks on two cores.
constexpr std::size_t kChunk = 32;

}  // namespace

void bind_diff(py::module_& m) {
  py::class_<PyGradient>(m, "Gradient", "<O> and its gradient: .value, .theta (d/dtheta), .x (d/dx).")
      .def_readonly("value", &PyGradient::value)
      .def_readonly("theta", &PyGradient::theta)
      .def_readonly("x", &PyGradient::x)
      .def("__repr__", [](const PyGradient& g) {
        return "Gradient(value=" + std::to_string(g.value) + ", " + std::to_string(g.theta.size()) + " theta, " +
               std::to_string(g.x.size()) + " x)";
      });

  py::class_<LightCone>(m, "LightCone", R"doc(The gates of a circuit that can change its observables' expectations.
.circuit: those gates in order (the original's weight and input layout); .observables: the observables carried back
through the gates folded into them, so expval(cone.circuit, cone.observables[k], theta, x) equals expval(circuit,
observables[k], theta, x); .kept: each kept gate's index in the original; .folded: gates folded into the observables;
.idle_weights: weights used only by dropped gates (their gradient is exactly 0).)doc")
      .def_readonly("circuit", &LightCone::circuit)
      .def_readonly("observables", &LightCone::observables)
      .def_readonly("kept", &LightCone::kept)
      .def_readonly("folded", &LightCone::folded)
      .def_readonly("idle_weights", &LightCone::idle_weights)
      .def("__repr__", [](const LightCone& lc) {
        return "LightCone(" + std::to_string(lc.kept.size()) + " gates kept, " + std::to_string(lc.folded) +
               " folded, " + std::to_string(lc.idle_weights.size()) + " idle weights)";
      });
  m.def(
      "light_cone",
      [](const Circuit& c, const py::object& observables) {
        const std::vector<PauliSum> obs = observables_of(observables, c.num_qubits());
        return light_cone(c, obs);
      },
      py::arg("circuit"), py::arg("observables"),
      R"doc(The light cone of the observables: the circuit cut to the gates that can change any <O_k>, with the
observables carried back through a folded tail of CX, CY, SWAP, X and Y gates (Z strings only). Values and gradients on
the cone equal those of the whole circuit; noisy simulation needs the whole circuit.)doc");

  m.def(
      "adjoint_gradient",
      [](const Circuit& c, const py::object& observable, const py::object& theta, const py::object& x,
         bool wrt_inputs) {
        const PauliSum obs = one_observable(c, observable);
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        DiffWrt wrt;
        wrt.inputs = wrt_inputs;
        Gradient g;
        {
          py::gil_scoped_release release;
          g = adjoint_gradient<double>(c, obs, span_of(th), span_of(xs), wrt);
        }
        return to_python(std::move(g));
      },
      py::arg("circuit"), py::arg("observable"), py::arg("theta") = py::none(), py::arg("x") = py::none(),
      py::arg("wrt_inputs") = true, "<O> and d<O>/dtheta, d<O>/dx by the adjoint method.");
  m.def(
      "parameter_shift_gradient",
      [](const Circuit& c, const py::object& observable, const py::object& theta, const py::object& x,
         std::int64_t shots, std::int64_t seed) {
        const PauliSum obs = one_observable(c, observable);
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        const ShotOptions so{non_negative64(shots, "shots"), non_negative64(seed, "seed")};
        Gradient g;
        {
          py::gil_scoped_release release;
          g = parameter_shift_gradient(c, obs, span_of(th), span_of(xs), DiffWrt{}, so);
        }
        return to_python(std::move(g));
      },
      py::arg("circuit"), py::arg("observable"), py::arg("theta") = py::none(), py::arg("x") = py::none(),
      py::arg("shots") = 0, py::arg("seed") = 1,
      "The gradient by parameter shifts (two or four circuits per angle); shots=0 is exact.");
  m.def(
      "finite_difference_gradient",
      [](const Circuit& c, const py::object& observable, const py::object& theta, const py::object& x, double h) {
        if (!(h > 0) || !std::isfinite(h)) throw py::value_error("h must be a positive number, got " + std::to_string(h));
        const PauliSum obs = one_observable(c, observable);
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        Gradient g;
        {
          py::gil_scoped_release release;
          g = finite_difference_gradient(c, obs, span_of(th), span_of(xs), h);
        }
        return to_python(std::move(g));
      },
      py::arg("circuit"), py::arg("observable"), py::arg("theta") = py::none(), py::arg("x") = py::none(),
      py::arg("h") = 1e-6, "Central finite differences (the method-independent cross-check).");
  m.def(
      "spsa_gradient",
      [](const Circuit& c, const py::object& observable, const py::object& theta, const py::object& x, double epsilon,
         std::int64_t seed, std::int64_t shots) {
        if (!(epsilon > 0) || !std::isfinite(epsilon)) {
          throw py::value_error("epsilon must be a positive number, got " + std::to_string(epsilon));
        }
        const PauliSum obs = one_observable(c, observable);
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        Rng rng(non_negative64(seed, "seed"));
        const ShotOptions so{non_negative64(shots, "shots"), non_negative64(seed, "seed")};
        Gradient g;
        {
          py::gil_scoped_release release;
          g = spsa_gradient(c, obs, span_of(th), span_of(xs), epsilon, rng, so);
        }
        return to_python(std::move(g));
      },
      py::arg("circuit"), py::arg("observable"), py::arg("theta"), py::arg("x") = py::none(),
      py::arg("epsilon") = 0.05, py::arg("seed") = 1, py::arg("shots") = 0,
      "SPSA: an unbiased estimate of d<O>/dtheta from two circuit runs.");
  m.def(
      "vjp_batch",
      [](const Circuit& c, const py::object& observables, const py::object& theta, const py::object& inputs,
         const py::object& weights, bool wrt_inputs, bool per_sample) {
        const std::vector<PauliSum> obs = observables_of(observables, c.num_qubits());
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(inputs, "inputs", 2);
        const RealArray w = as_real_array(weights, "weights", 2);
        const auto B = static_cast<std::size_t>(xs.shape(0));
        const auto F = static_cast<std::size_t>(xs.shape(1));
        const std::size_t K = obs.size();
        if (w.shape(0) != xs.shape(0) || static_cast<std::size_t>(w.shape(1)) != K) {
          throw py::value_error("weights must be " + std::to_string(B) + " x " + std::to_string(K) +
                                " (samples x observables), got " + std::to_string(w.shape(0)) + " x " +
                                std::to_string(w.shape(1)));
        }
        require_finite(span_of(w), "weights");
        DiffWrt wrt;
        wrt.inputs = wrt_inputs;
        const std::size_t P = std::max<std::size_t>(c.num_theta(), static_cast<std::size_t>(th.size()));
        // At least one: an empty batch still has θ checked (and gives empty values, a zero gradient).
        const std::size_t chunks = std::max<std::size_t>(1, (B + kChunk - 1) / kChunk);
        std::vector<BatchedVjpResult> parts(chunks);
        {
          py::gil_scoped_release release;
          parallel_tasks(chunks, [&](std::uint64_t ch) {
            const std::size_t first = ch * kChunk, n = std::min(B, first + kChunk) - first;
            const BatchInputs in{{xs.data() + first * F, n * F}, F};
            auto up = [&](std::span<const double>) {
              return std::vector<double>(w.data() + first * K, w.data() + (first + n) * K);
            };
            parts[ch] = per_sample
                            ? adjoint_vjp_batched_per_sample<double>(c, obs, span_of(th), in, static_cast<unsigned>(n),
                                                                     up, wrt)
                            : adjoint_vjp_batched<double>(c, obs, span_of(th), in, static_cast<unsigned>(n), up, wrt);
          }, c.size() * (std::uint64_t{1} << c.num_qubits()) * kChunk);
        }
        // Chunks are summed in order: the same numbers whatever the thread count.
        std::vector<double> values(B * K), dtheta(per_sample ? B * P : P, 0.0), dx(wrt_inputs ? B * F : 0, 0.0);
        for (std::size_t ch = 0; ch < chunks; ++ch) {
          const std::size_t first = ch * kChunk;
          std::copy(parts[ch].values.begin(), parts[ch].values.end(), values.begin() + first * K);
          if (per_sample) {  // rows of P (the sweep's P is this P: the same circuit and theta)
            std::copy(parts[ch].theta_per_sample.begin(), parts[ch].theta_per_sample.end(),
                      dtheta.begin() + static_cast<std::ptrdiff_t>(first * P));
          } else {
            for (std::size_t i = 0; i < parts[ch].theta.size() && i < P; ++i) dtheta[i] += parts[ch].theta[i];
          }
          if (wrt_inputs) std::copy(parts[ch].x.begin(), parts[ch].x.end(), dx.begin() + first * F);
        }
        return py::make_tuple(to_numpy(std::move(values), {static_cast<py::ssize_t>(B), static_cast<py::ssize_t>(K)}),
                              per_sample ? to_numpy(std::move(dtheta), {static_cast<py::ssize_t>(B),
                                                                        static_cast<py::ssize_t>(P)})
                                         : to_numpy(std::move(dtheta)),
                              to_numpy(std::move(dx), {static_cast<py::ssize_t>(B),
                                                       static_cast<py::ssize_t>(wrt_inputs ? F : 0)}));
      },
      py::arg("circuit"), py::arg("observables"), py::arg("theta"), py::arg("inputs"), py::arg("weights"),
      py::arg("wrt_inputs") = true, py::arg("per_sample") = false,
      R"doc(Batched adjoint vector-Jacobian product: for inputs (B x F) and weights w (B x K) returns
(values, dtheta, dx): values[b, k] = <O_k> of sample b, dtheta = d/dtheta of sum_bk w_bk <O_k>_b, and dx (B x F) its
gradient with respect to each sample's inputs. per_sample=True: dtheta is B x P instead, row b = d/dtheta of
sum_k w_bk <O_k>_b (sample b's share; slower than the summed form).)doc");
}

}  // namespace qnn::python
