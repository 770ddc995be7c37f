// The distributed state vector against the single-process one, run under `mpirun -np R` (R = 2, 4; tests/CMakeLists
// registers each scenario). Every rank simulates the full state too (the sizes are small) and compares its slice.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <numbers>

#include "qnn/core/error.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/mpi/distributed_simulation.hpp"
#include "qnn/mpi/environment.hpp"
#include "sim/random_circuits.hpp"

namespace qnn {
namespace {

using mpi::DistributedStateVector;

// Double-precision agreement the issue asks for; the two sides apply the same kernels in the same order per slice,
// so the only differences are summation orders in reductions.
constexpr double kTol = 1e-12;

template <Real T>
void load(DistributedStateVector<T>& d, const StateVector<T>& full) {
  const index_t base = static_cast<index_t>(d.rank()) << d.num_local_qubits();
  for (index_t j = 0; j < d.local().size(); ++j) d.local()[j] = full[base + j];
}

template <Real T>
double max_slice_error(const DistributedStateVector<T>& d, const StateVector<T>& full) {
  const index_t base = static_cast<index_t>(d.rank()) << d.num_local_qubits();
  double e = 0;
  for (index_t j = 0; j < d.local().size(); ++j) e = std::max(e, double(std::abs(d.local()[j] - full[base + j])));
  return e;
}

// Every gate of the table, on every ordered placement of its qubits on 5 qubits (targets and controls local and
// global), with no extra control and with one extra control on each remaining qubit, from a random state.
TEST(DistributedStateVector, EveryGateOnEveryPlacement) {
  const unsigned n = 5;
  Rng rng(11);
  const StateVector<double> start = testkit::to_state<double>(testkit::random_state(n, rng));
  std::size_t checked = 0;
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary) continue;
    std::vector<unsigned> q(g.num_qubits);
    // Enumerate ordered tuples of distinct qubits by counting in base n and skipping repeats.
    const std::size_t combos = static_cast<std::size_t>(std::pow(n, g.num_qubits));
    for (std::size_t code = 0; code < combos; ++code) {
      std::size_t c = code;
      for (unsigned& v : q) {
        v = static_cast<unsigned>(c % n);
        c /= n;
      }
      bool distinct = true;
      for (std::size_t i = 0; i < q.size(); ++i)
        for (std::size_t j = 0; j < i; ++j) distinct = distinct && q[i] != q[j];
      if (!distinct) continue;
      for (unsigned extra = 0; extra <= n; ++extra) {
        std::vector<unsigned> controls;
        if (extra < n) {
          if (std::find(q.begin(), q.end(), extra) != q.end()) continue;
          controls.push_back(extra);
        }
        Circuit circ(n);
        std::vector<Expr> params;
        for (unsigned p = 0; p < g.num_params; ++p) params.push_back(Expr(rng.uniform(-std::numbers::pi, std::numbers::pi)));
        circ.add(g.kind, q, params, controls);
        StateVector<double> full = start;
        run(circ, full, {}, {}, RunOptions{.fusion_qubits = 0});
        DistributedStateVector<double> d(n);
        load(d, start);
        d.set_exchange_chunk(2);  // several MPI_Sendrecv per exchange
        mpi::run(circ, d);
        ASSERT_LE(max_slice_error(d, full), kTol) << g.name << " on qubits " << q[0] << (q.size() > 1 ? "," : "")
                                                  << (q.size() > 1 ? q[1] : 0) << " extra control " << extra;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 1800U);  // 16 one-, 13 two- and 2 three-qubit kinds: 16·5·5 + 13·20·4 + 2·60·3
}

// Random circuits of every gate kind with up to two extra controls and user unitaries on 1–3 targets.
TEST(DistributedStateVector, RandomCircuitsMatchSingleProcess) {
  for (unsigned n : {6U, 7U}) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      Rng rng(seed);
      const Circuit c = testkit::random_circuit(n, rng);
      StateVector<double> full(n);
      run(c, full, {}, {}, RunOptions{.fusion_qubits = 0});
      const DistributedStateVector<double> d = mpi::simulate_distributed<double>(c);
      EXPECT_LE(max_slice_error(d, full), kTol) << "n " << n << " seed " << seed;
      EXPECT_NEAR(d.norm_squared(), 1.0, kTol);
    }
  }
}

TEST(DistributedStateVector, SinglePrecision) {
  Rng rng(5);
  const Circuit c = testkit::random_circuit(6, rng);
  StateVector<float> full(6);
  run(c, full, {}, {}, RunOptions{.fusion_qubits = 0});
  const DistributedStateVector<float> d = mpi::simulate_distributed<float>(c);
  EXPECT_LE(max_slice_error(d, full), 1e-5);
}

// Pauli strings with X, Y, Z on local and global qubits, as expectations and as applied observables.
TEST(DistributedStateVector, ExpectationsAndObservables) {
  const unsigned n = 6;
  Rng rng(21);
  const Circuit c = testkit::random_circuit(n, rng);
  StateVector<double> full(n);
  run(c, full, {}, {}, RunOptions{.fusion_qubits = 0});
  DistributedStateVector<double> d = mpi::simulate_distributed<double>(c);
  d.set_exchange_chunk(4);
  const char paulis[4] = {'I', 'X', 'Y', 'Z'};
  for (int trial = 0; trial < 60; ++trial) {
    PauliSum obs;
    for (int term = 0; term < 3; ++term) {
      PauliString s;
      for (unsigned q = 0; q < n; ++q) {
        const char p = paulis[rng.below(4)];
        if (p != 'I') s = s * PauliString(p, q);
      }
      obs.add(rng.uniform(-1, 1), s);
    }
    EXPECT_NEAR(mpi::expectation(d, obs), expectation(full, obs), kTol) << obs.to_string();
    StateVector<double> out_full(n);
    apply_observable(full, obs, out_full);
    DistributedStateVector<double> out(n);
    out.set_exchange_chunk(8);
    mpi::apply_observable(d, obs, out);
    EXPECT_LE(max_slice_error(out, out_full), kTol) << obs.to_string();
  }
}

TEST(DistributedStateVector, ProbabilitiesGatherAndSampling) {
  const unsigned n = 7;
  Rng rng(3);
  const Circuit c = testkit::random_circuit(n, rng);
  StateVector<double> full(n);
  run(c, full, {}, {}, RunOptions{.fusion_qubits = 0});
  DistributedStateVector<double> d = mpi::simulate_distributed<double>(c);
  d.set_exchange_chunk(16);
  // Rank 0 receives every amplitude in order.
  index_t next = 0;
  double err = 0;
  d.gather_to_root([&](index_t first, std::span<const complex<double>> amps) {
    EXPECT_EQ(first, next);
    for (std::size_t i = 0; i < amps.size(); ++i) err = std::max(err, std::abs(amps[i] - full[first + i]));
    next += amps.size();
  });
  if (d.rank() == 0) {
    EXPECT_EQ(next, full.size());
  }
  EXPECT_LE(err, kTol);
  // The same seed draws the same uniforms; a shot can differ only where u falls within rounding of a CDF step (the
  // cumulative sums are added in a different order), which 20000 draws at 2^-7 spacing essentially never hit.
  const std::uint64_t shots = 20000;
  Rng r1(99), r2(99);
  const std::vector<index_t> a = full.sample(shots, r1);
  const std::vector<index_t> b = d.sample(shots, r2);
  ASSERT_EQ(a.size(), b.size());
  std::size_t differ = 0;
  for (std::size_t s = 0; s < shots; ++s) differ += a[s] != b[s];
  EXPECT_LE(differ, 1U);
}

TEST(DistributedStateVector, AdjointGradientMatchesSingleProcess) {
  const unsigned n = 6;
  Rng rng(8);
  unsigned next_theta = 0;
  testkit::RandomCircuitOptions opt;
  opt.only_parameterised = false;
  opt.angle = [&](Rng& r) { return r.uniform(0.5, 1.5) * theta(next_theta++) + r.uniform(-1, 1); };
  const Circuit c = testkit::random_circuit(n, rng, opt);
  std::vector<double> th(c.num_theta());
  for (double& t : th) t = rng.uniform(-std::numbers::pi, std::numbers::pi);
  const PauliSum obs = parse_pauli_sum("Z0 Z5 + 0.5 X4 Y1 - 0.25 Y5 + 0.3 X3 X4 X5");
  const Gradient g1 = adjoint_gradient<double>(c, obs, th, {}, DiffWrt{.theta = true, .inputs = false});
  const Gradient g2 = mpi::distributed_adjoint_gradient<double>(c, obs, th, {}, DiffWrt{.theta = true, .inputs = false});
  EXPECT_NEAR(g2.value, g1.value, kTol);
  ASSERT_EQ(g2.theta.size(), g1.theta.size());
  for (std::size_t i = 0; i < g1.theta.size(); ++i) EXPECT_NEAR(g2.theta[i], g1.theta[i], kTol) << "theta " << i;
}

TEST(DistributedStateVector, BadLayoutsAreRejectedOnEveryRank) {
  EXPECT_THROW(DistributedStateVector<double>::check_layout(5, 3), ValueError);
  EXPECT_THROW(DistributedStateVector<double>::check_layout(5, 6), ValueError);
  EXPECT_THROW(DistributedStateVector<double>::check_layout(2, 8), ValueError);
  EXPECT_NO_THROW(DistributedStateVector<double>::check_layout(3, 8));
  // A 3-target unitary needs 3 local qubits: on 4 qubits that allows at most 2 ranks.
  Circuit c(4);
  c.ccx(0, 1, 2);
  Rng rng(1);
  c.unitary({0, 1, 2}, testkit::random_unitary(3, rng).a);
  EXPECT_NO_THROW(mpi::check_distributable(c, 2));
  EXPECT_THROW(mpi::check_distributable(c, 4), ValueError);
}

}  // namespace
}  // namespace qnn

// Every rank runs every test; the process fails if any rank saw a failure.
int main(int argc, char** argv) {
  qnn::mpi::Environment env(/*force=*/true);
  ::testing::InitGoogleTest(&argc, argv);
  if (qnn::mpi::rank() != 0) {
    // Keep rank 0's report readable: other ranks print only failures.
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int local = RUN_ALL_TESTS();
  int any = 0;
  MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any;
}
