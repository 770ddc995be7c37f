#include "qnn/noise/density_matrix_simulation.hpp"

#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

template <Real T>
void run_noisy(const Circuit& c, const std::vector<NoisyOperation>& ops, std::span<const double> angles,
               DensityMatrix<T>& rho) {
  if (rho.num_qubits() != c.num_qubits()) {
    throw ValueError("circuit on " + std::to_string(c.num_qubits()) + " qubits run on a density matrix of " +
                     std::to_string(rho.num_qubits()));
  }
  const std::vector<std::size_t> offset = angle_offsets(c);
  for (const NoisyOperation& step : ops) {
    if (step.is_gate()) {
      const Operation& op = c.ops()[step.gate];
      apply_operation(rho, op, angles.subspan(offset[step.gate], op.params.size()));
    } else {
      rho.apply_superoperator(step.qubits, step.channel->superoperator());
    }
  }
}

template <Real T>
void run(const Circuit& c, const NoiseModel& model, DensityMatrix<T>& rho, std::span<const double> theta,
         std::span<const double> x) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  run_noisy(c, noisy_operations(c, model), angles, rho);
}

#define QNN_INSTANTIATE(T)                                                                                          \
  template void run_noisy<T>(const Circuit&, const std::vector<NoisyOperation>&, std::span<const double>,          \
                             DensityMatrix<T>&);                                                                   \
  template void run<T>(const Circuit&, const NoiseModel&, DensityMatrix<T>&, std::span<const double>,              \
                       std::span<const double>);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
