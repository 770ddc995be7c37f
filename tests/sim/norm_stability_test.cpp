// Numerical stability of unitary evolution: qnn never renormalises a state during unitary evolution (docs/numerics.md),
// so the norm after many gates is only as good as the kernels' rounding. 10^6 random 1- and 2-qubit gates (table gates
// at random angles and Haar-ish random unitaries, on random qubits) must leave |ψ|² within 1e-9 of 1 in double.
//
// Rounding model: each gate multiplies the norm by (1 + δ) with |δ| ≲ a few ulp (≈ 1e-16); unbiased errors grow as a
// random walk, √(10^6)·1e-16 ≈ 1e-13, and even fully correlated ones stay at 10^6·1e-16 = 1e-10 < 1e-9.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "qnn/circuit/gate.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/sim/state_vector.hpp"
#include "sim/random_circuits.hpp"

namespace qnn {
namespace {

// Under the sanitizers every amplitude access is checked (~20× slower): 10^5 gates there keep the test fast; the
// release suite runs the full 10^6.
std::size_t gate_count() { return std::getenv("QNN_SANITIZED") != nullptr ? 100'000 : 1'000'000; }

TEST(NormStability, MillionRandomGatesKeepNormWithin1e9) {
  constexpr unsigned n = 5;
  Rng rng(2024);
  // Table gates with at most 2 qubits (the parameterised ones at fresh random angles each time) and a pool of random
  // dense unitaries (generating one per gate would dominate the run time).
  std::vector<GateKind> kinds;
  for (const GateInfo& g : gate_table())
    if (g.kind != GateKind::Unitary && g.num_qubits >= 1 && g.num_qubits <= 2) kinds.push_back(g.kind);
  std::vector<std::vector<cplx>> pool1, pool2;
  for (int i = 0; i < 16; ++i) {
    pool1.push_back(testkit::random_unitary(1, rng).a);
    pool2.push_back(testkit::random_unitary(2, rng).a);
  }

  StateVector<double> psi(n);
  const std::size_t gates = gate_count();
  double worst = 0;
  for (std::size_t g = 0; g < gates; ++g) {
    const unsigned q0 = static_cast<unsigned>(rng.below(n));
    unsigned q1 = static_cast<unsigned>(rng.below(n - 1));
    if (q1 >= q0) ++q1;
    const std::uint64_t pick = rng.below(kinds.size() + 2);
    if (pick == kinds.size()) {
      const unsigned t[1] = {q0};
      psi.apply_matrix(t, pool1[rng.below(pool1.size())]);
    } else if (pick == kinds.size() + 1) {
      const unsigned t[2] = {q0, q1};
      psi.apply_matrix(t, pool2[rng.below(pool2.size())]);
    } else {
      const GateInfo& info = gate_info(kinds[pick]);
      std::vector<double> params(info.num_params);
      for (double& p : params) p = rng.uniform(-8.0, 8.0);
      const GateMatrix m = gate_matrix(info.kind, params);
      // Controls as controls (the controlled kernels), targets through the dense kernel.
      std::vector<unsigned> controls, targets;
      const unsigned qs[2] = {q0, q1};
      for (unsigned k = 0; k < info.num_qubits; ++k) (k < info.num_controls ? controls : targets).push_back(qs[k]);
      psi.apply_matrix(targets, m.span(), controls);
    }
    if (g % 1000 == 999) worst = std::max(worst, std::abs(psi.norm_squared() - 1.0));
  }
  worst = std::max(worst, std::abs(psi.norm_squared() - 1.0));
  EXPECT_LT(worst, 1e-9) << "after " << gates << " gates";
  std::printf("max |norm^2 - 1| over %zu gates: %.3g\n", gates, worst);
  // The state is genuinely mixed up, not stuck in a basis state: no amplitude holds almost everything.
  double largest = 0;
  for (const auto& a : psi.amplitudes()) largest = std::max(largest, std::norm(std::complex<double>(a)));
  EXPECT_LT(largest, 0.9);
}

}  // namespace
}  // namespace qnn
