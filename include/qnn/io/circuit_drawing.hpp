#pragma once
// Text drawings of circuits: one wire per qubit (qubit 0 at the top), time running left to right.
//
//   q[0]: ─H─●─M─
//            │
//   q[1]: ───⊕─M─
//
// Gates are labels with their angles (3 significant digits, multiples of π as π/2, 3π/4; θ and x shown by name),
// controls ●, the target of a controlled X ⊕, swap targets ×, a vertical line joins the qubits of one gate (┼ where
// it crosses another wire), measurement M (M→c[2] when the bit is not the qubit's own index), reset |0⟩, barrier ░,
// a classical condition as a suffix [c==1]. Gates whose wire spans do not overlap share a column. A drawing wider
// than the width limit is cut into blocks of whole columns, one below the other.
#include <string>

#include "qnn/circuit/circuit.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn {

struct DrawOptions {
  /// Characters per line (counting each box-drawing character as one); a single column wider than this still fits.
  unsigned width = 100;
};

/// Qubits are named after the program's registers (`q[0]`, `anc[1]`); OpenQASM 3 inputs by their names.
std::string draw(const qasm::Program& program, const DrawOptions& options = {});
/// Qubits are named q0, q1, …; weights θ0, θ1, …; inputs x0, x1, ….
std::string draw(const Circuit& circuit, const DrawOptions& options = {});

}  // namespace qnn
