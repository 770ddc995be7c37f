#pragma once
// The detector error model of a noisy Clifford circuit: for every Pauli component of every noise instruction, the
// detectors and observables it flips. Found in one backward sweep that tracks, for every qubit, which detectors and
// observables an X or a Z error at that point would flip (a Pauli error E before a gate U acts as U E U† after it).
#include "qnn/qec/clifford_circuit.hpp"
#include "qnn/qec/detector_error_model.hpp"

namespace qnn::qec {

/// Mechanisms that flip the same detectors and observables are merged (p = p1(1−p2) + p2(1−p1)); those that flip
/// nothing are dropped. Depolarising channels are converted exactly into independent Pauli mechanisms: DEPOLARIZE1(p)
/// into X, Y, Z each with q = ½(1 − √(1 − 4p/3)), DEPOLARIZE2(p) into the 15 Paulis each with
/// q = ½(1 − (1 − 16p/15)^{1/8}) (both equal p/3 resp. p/15 to first order). The circuit's detectors must be
/// deterministic without noise (memory_circuit's are).
DetectorErrorModel detector_error_model(const CliffordCircuit& circuit);

}  // namespace qnn::qec
