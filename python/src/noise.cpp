// Noise: models from the CLI's spec strings, JSON files or presets ("depolarizing:0.01", "ibm-like"), run exactly on a
// density matrix or sampled by state-vector trajectories. The GIL is released while simulating.
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "module.hpp"
#include "observables.hpp"
#include "qnn/noise/density_matrix_simulation.hpp"
#include "qnn/noise/noise_spec.hpp"
#include "qnn/noise/trajectories.hpp"

namespace qnn::python {

namespace {

PauliSum one_observable_of(const Circuit& c, const py::object& obj) {
  bool single = false;
  std::vector<PauliSum> obs = observables_of(obj, c.num_qubits(), &single);
  if (!single) throw py::type_error("observable must be one PauliSum, PauliString or string, not a list");
  return std::move(obs[0]);
}

}  // namespace

void bind_noise(py::module_& m) {
  py::class_<NoiseModel>(m, "NoiseModel", R"doc(Which channels follow which gates, idle noise and readout error.

``qnn.NoiseModel("depolarizing:0.01+readout:0.02")`` takes what the CLI's --noise takes: a compact spec, a preset
name (qnn.noise_presets()) or a JSON file.)doc")
      .def(py::init(&load_noise_model), py::arg("spec"))
      .def_readwrite("name", &NoiseModel::name)
      .def_property_readonly("description", &NoiseModel::description)
      .def_property_readonly("is_noiseless", &NoiseModel::is_noiseless)
      .def("__repr__", [](const NoiseModel& n) { return "NoiseModel('" + n.name + "')"; });
  m.def("noise_presets", &noise_preset_names, "Names of the preset noise models.");
  m.def(
      "expval_density_matrix",
      [](const Circuit& c, const NoiseModel& noise, const py::object& observable, const py::object& theta,
         const py::object& x) {
        const PauliSum obs = one_observable_of(c, observable);
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        py::gil_scoped_release release;
        return expval_density_matrix<double>(c, noise, obs, span_of(th), span_of(xs));
      },
      py::arg("circuit"), py::arg("noise"), py::arg("observable"), py::arg("theta") = py::none(),
      py::arg("x") = py::none(), "Tr(rho O) of the noisy circuit, exactly (a density matrix: up to ~13 qubits).");
  m.def(
      "expval_trajectories",
      [](const Circuit& c, const NoiseModel& noise, const py::object& observable, std::int64_t trajectories,
         std::int64_t seed, const py::object& theta, const py::object& x) {
        if (trajectories < 1) throw py::value_error("trajectories must be >= 1, got " + std::to_string(trajectories));
        const PauliSum obs = one_observable_of(c, observable);
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        const std::uint64_t s = non_negative64(seed, "seed");
        TrajectoryEstimate e;
        {
          py::gil_scoped_release release;
          e = expectation_trajectories<double>(c, noise, obs, static_cast<std::uint64_t>(trajectories), s,
                                               span_of(th), span_of(xs));
        }
        return py::make_tuple(e.mean, e.standard_error);
      },
      py::arg("circuit"), py::arg("noise"), py::arg("observable"), py::arg("trajectories") = 1000,
      py::arg("seed") = 1, py::arg("theta") = py::none(), py::arg("x") = py::none(),
      "(mean, standard error) of <O> over seeded Monte-Carlo wave-function trajectories.");
  m.def(
      "sample_noisy",
      [](const Circuit& c, const NoiseModel& noise, std::int64_t shots, std::int64_t trajectories, std::int64_t seed,
         const py::object& theta, const py::object& x) {
        const std::uint64_t n = non_negative64(shots, "shots");
        if (trajectories < 1) throw py::value_error("trajectories must be >= 1, got " + std::to_string(trajectories));
        const RealArray th = as_real_array(theta, "theta", 1, true);
        const RealArray xs = as_real_array(x, "x", 1, true);
        const std::uint64_t s = non_negative64(seed, "seed");
        std::vector<index_t> out;
        {
          py::gil_scoped_release release;
          out = sample_trajectories<double>(c, noise, n, static_cast<std::uint64_t>(trajectories), s, span_of(th),
                                            span_of(xs));
        }
        return to_numpy(std::move(out));
      },
      py::arg("circuit"), py::arg("noise"), py::arg("shots"), py::arg("trajectories") = 100, py::arg("seed") = 1,
      py::arg("theta") = py::none(), py::arg("x") = py::none(),
      "Basis-state indices of `shots` noisy shots, spread over `trajectories` trajectories.");
}

}  // namespace qnn::python
