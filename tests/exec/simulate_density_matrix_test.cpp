// Noiseless circuits on density matrices equal |ψ⟩⟨ψ| of the state-vector run, for every gate of the table on every
// qubit position, extra controls, user unitaries and bound parameters.
#include "qnn/exec/simulate_density_matrix.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

// A random circuit using every gate kind of the table (random distinct qubits, random angles), two user unitaries
// and a gate with an extra control.
Circuit random_circuit(unsigned n, std::uint64_t seed) {
  Rng rng(seed);
  Circuit c(n);
  for (int rep = 0; rep < 2; ++rep)
    for (const GateInfo& g : gate_table()) {
      if (g.kind == GateKind::Unitary || g.num_qubits > n) continue;
      std::vector<unsigned> q;
      while (q.size() < g.num_qubits) {
        const auto v = static_cast<unsigned>(rng.below(n));
        if (std::find(q.begin(), q.end(), v) == q.end()) q.push_back(v);
      }
      std::vector<Expr> params;
      for (unsigned k = 0; k < g.num_params; ++k) params.emplace_back(rng.uniform(-3, 3));
      c.add(g.kind, q, params);
    }
  const double t = rng.uniform(0, 3);
  c.unitary({n - 1}, {std::cos(t), -std::sin(t), std::sin(t), std::cos(t)});
  if (n >= 3) c.add(GateKind::RY, {0}, {Expr(0.7)}, {1, 2});
  return c;
}

TEST(SimulateDensityMatrix, EqualsStateVectorOuterProductForRandomCircuits) {
  for (unsigned n : {1U, 2U, 3U, 5U}) {
    const Circuit c = random_circuit(n, 40 + n);
    const auto psi = simulate<double>(c);
    const auto rho = simulate_density_matrix<double>(c);
    double dist = 0;
    for (index_t r = 0; r < rho.dimension(); ++r)
      for (index_t col = 0; col < rho.dimension(); ++col) {
        dist = std::max(dist, std::abs(rho.element(r, col) - psi[r] * std::conj(psi[col])));
      }
    EXPECT_LE(dist, 1e-12) << "n=" << n << " (" << c.size() << " operations)";
    EXPECT_NEAR(rho.trace(), 1.0, 1e-12);
    EXPECT_NEAR(rho.purity(), 1.0, 1e-12);
  }
}

TEST(SimulateDensityMatrix, ParametersExpectationsAndInverse) {
  Circuit c(3);
  c.ry(0, input(0)).rx(1, theta(0)).cnot(0, 1).crz(1, 2, theta(1) * 2.0).h(2);
  const std::vector<double> th{0.4, -1.1}, x{0.9};
  const PauliSum obs = Z(0) * Z(1) + 0.5 * X(2) - 0.25 * Y(1);
  const auto rho = simulate_density_matrix<double>(c, th, x);
  EXPECT_NEAR(expectation(rho, obs), expval(c, obs, th, x), 1e-13);
  EXPECT_NEAR(expectation(rho, PauliSum(PauliString())), 1.0, 1e-13);  // identity term: the trace
  // Applying every operation's inverse in reverse returns |000⟩⟨000|.
  auto back = rho;
  const std::vector<double> angles = bind_angles(c, th, x);
  std::size_t a = angles.size();
  for (std::size_t k = c.size(); k-- > 0;) {
    const std::size_t np = c.ops()[k].params.size();
    a -= np;
    apply_operation(back, c.ops()[k], std::span<const double>(angles).subspan(a, np), true);
  }
  EXPECT_NEAR(back.element(0, 0).real(), 1.0, 1e-13);
  EXPECT_THROW(expectation(rho, PauliSum(Z(3))), ValueError);
  DensityMatrix<double> wrong(2);
  EXPECT_THROW(run(c, wrong, th, x), ValueError);
}

}  // namespace
}  // namespace qnn
