#pragma once
// A circuit: a list of gate operations on n qubits whose angles are expressions over weights θ and inputs x.
//
//   Circuit c(2);
//   c.h(0).cnot(0, 1).ry(1, theta(0)).rx(0, 0.5 * input(0) + 0.1);
#include <array>
#include <memory>
#include <span>
#include <vector>

#include "qnn/circuit/expression.hpp"
#include "qnn/circuit/gate.hpp"

namespace qnn {

/// Control qubits gathered without allocating (kernels take them as a span).
struct ControlList {
  std::array<unsigned, 64> qubits{};
  std::size_t size = 0;
  [[nodiscard]] std::span<const unsigned> span() const { return {qubits.data(), size}; }
};

struct Operation {
  GateKind kind = GateKind::I;
  /// The gate's own qubits: its built-in controls first, then targets (as listed in the gate table).
  std::vector<unsigned> qubits;
  /// Extra controls added on top of the gate (all must be |1⟩).
  std::vector<unsigned> controls;
  std::vector<Expr> params;
  /// Row-major 2^k × 2^k matrix of a Unitary operation on k = qubits.size() targets.
  std::shared_ptr<const std::vector<cplx>> matrix;

  [[nodiscard]] const GateInfo& info() const { return gate_info(kind); }
  /// Targets of the matrix (qubits after the built-in controls).
  [[nodiscard]] std::span<const unsigned> targets() const;
  /// All control qubits: built-in ones, then extra ones.
  [[nodiscard]] std::vector<unsigned> all_controls() const;
  /// The same, without allocating.
  [[nodiscard]] ControlList control_list() const;
  [[nodiscard]] bool is_parameterised() const;
};

class Circuit {
 public:
  explicit Circuit(unsigned num_qubits);

  [[nodiscard]] unsigned num_qubits() const { return n_; }
  [[nodiscard]] const std::vector<Operation>& ops() const { return ops_; }
  [[nodiscard]] std::size_t size() const { return ops_.size(); }
  /// 1 + the largest θ index any angle uses (the length of a weight vector for this circuit).
  [[nodiscard]] unsigned num_theta() const { return num_theta_; }
  /// 1 + the largest input index any angle uses.
  [[nodiscard]] unsigned num_inputs() const { return num_inputs_; }

  /// Append a gate from the table; checks qubit range, distinctness and parameter count.
  Circuit& add(GateKind kind, std::vector<unsigned> qubits, std::vector<Expr> params = {},
               std::vector<unsigned> extra_controls = {});
  /// Append a user unitary (2^k × 2^k row-major, checked for unitarity to 1e-10) on k target qubits.
  Circuit& unitary(std::vector<unsigned> targets, std::vector<cplx> matrix, std::vector<unsigned> controls = {});
  /// Append an already-built operation (validated like add).
  Circuit& append(const Operation& op);
  /// Append every operation of another circuit on the same or fewer qubits.
  Circuit& append(const Circuit& other);

  /// U† as a circuit: operations reversed, each replaced by its inverse.
  [[nodiscard]] Circuit inverse() const;
  /// Take weight and input vectors of at least these lengths, whatever the operations use (a circuit cut from a
  /// larger one keeps the larger one's parameter layout).
  Circuit& declare_parameters(unsigned num_theta, unsigned num_inputs);

  // Named gates (the C++ API reads like the physics).
  Circuit& i(unsigned q) { return add(GateKind::I, {q}); }
  Circuit& x(unsigned q) { return add(GateKind::X, {q}); }
  Circuit& y(unsigned q) { return add(GateKind::Y, {q}); }
  Circuit& z(unsigned q) { return add(GateKind::Z, {q}); }
  Circuit& h(unsigned q) { return add(GateKind::H, {q}); }
  Circuit& s(unsigned q) { return add(GateKind::S, {q}); }
  Circuit& sdg(unsigned q) { return add(GateKind::Sdg, {q}); }
  Circuit& t(unsigned q) { return add(GateKind::T, {q}); }
  Circuit& tdg(unsigned q) { return add(GateKind::Tdg, {q}); }
  Circuit& sx(unsigned q) { return add(GateKind::SX, {q}); }
  Circuit& sxdg(unsigned q) { return add(GateKind::SXdg, {q}); }
  Circuit& rx(unsigned q, Expr a) { return add(GateKind::RX, {q}, {std::move(a)}); }
  Circuit& ry(unsigned q, Expr a) { return add(GateKind::RY, {q}, {std::move(a)}); }
  Circuit& rz(unsigned q, Expr a) { return add(GateKind::RZ, {q}, {std::move(a)}); }
  Circuit& p(unsigned q, Expr a) { return add(GateKind::P, {q}, {std::move(a)}); }
  Circuit& u(unsigned q, Expr th, Expr ph, Expr la) {
    return add(GateKind::U, {q}, {std::move(th), std::move(ph), std::move(la)});
  }
  Circuit& cnot(unsigned c, unsigned t) { return add(GateKind::CX, {c, t}); }
  Circuit& cx(unsigned c, unsigned t) { return add(GateKind::CX, {c, t}); }
  Circuit& cy(unsigned c, unsigned t) { return add(GateKind::CY, {c, t}); }
  Circuit& cz(unsigned c, unsigned t) { return add(GateKind::CZ, {c, t}); }
  Circuit& ch(unsigned c, unsigned t) { return add(GateKind::CH, {c, t}); }
  Circuit& swap(unsigned a, unsigned b) { return add(GateKind::SWAP, {a, b}); }
  Circuit& iswap(unsigned a, unsigned b) { return add(GateKind::ISWAP, {a, b}); }
  Circuit& crx(unsigned c, unsigned t, Expr a) { return add(GateKind::CRX, {c, t}, {std::move(a)}); }
  Circuit& cry(unsigned c, unsigned t, Expr a) { return add(GateKind::CRY, {c, t}, {std::move(a)}); }
  Circuit& crz(unsigned c, unsigned t, Expr a) { return add(GateKind::CRZ, {c, t}, {std::move(a)}); }
  Circuit& cp(unsigned c, unsigned t, Expr a) { return add(GateKind::CP, {c, t}, {std::move(a)}); }
  Circuit& rxx(unsigned a, unsigned b, Expr t) { return add(GateKind::RXX, {a, b}, {std::move(t)}); }
  Circuit& ryy(unsigned a, unsigned b, Expr t) { return add(GateKind::RYY, {a, b}, {std::move(t)}); }
  Circuit& rzz(unsigned a, unsigned b, Expr t) { return add(GateKind::RZZ, {a, b}, {std::move(t)}); }
  Circuit& ccx(unsigned c1, unsigned c2, unsigned t) { return add(GateKind::CCX, {c1, c2, t}); }
  Circuit& cswap(unsigned c, unsigned a, unsigned b) { return add(GateKind::CSWAP, {c, a, b}); }

 private:
  void validate(const Operation& op) const;
  unsigned n_;
  unsigned num_theta_ = 0;
  unsigned num_inputs_ = 0;
  std::vector<Operation> ops_;
};

/// The numeric matrix of an operation on its targets at bound angles (`angles` = evaluated params).
GateMatrix operation_matrix_small(const Operation& op, std::span<const double> angles);
/// Conjugate transpose of a row-major square matrix.
std::vector<cplx> adjoint_matrix(std::span<const cplx> m);
/// As above but for any size (Unitary ops may exceed 4×4); returns the row-major entries.
std::vector<cplx> operation_matrix(const Operation& op, std::span<const double> angles);

}  // namespace qnn
