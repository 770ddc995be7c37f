#include "qnn/ml/ansatz.hpp"

namespace qnn {

unsigned strongly_entangling(Circuit& c, unsigned layers, unsigned first_theta) {
  const unsigned n = c.num_qubits();
  unsigned t = first_theta;
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned q = 0; q < n; ++q) {
      c.rz(q, theta(t)).ry(q, theta(t + 1)).rz(q, theta(t + 2));
      t += 3;
    }
    if (n > 1) {
      const unsigned r = l % (n - 1) + 1;
      for (unsigned q = 0; q < n; ++q) c.cnot(q, (q + r) % n);
    }
  }
  return t - first_theta;
}

}  // namespace qnn
