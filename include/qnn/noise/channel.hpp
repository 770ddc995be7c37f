#pragma once
// Quantum channels as Kraus operators: ρ → Σ_i K_i ρ K_i† on k qubits, with Σ_i K_i† K_i = I (trace preserving; any
// Kraus form is completely positive).
//
// Parameter conventions (each constructor validates its ranges and names the bad value):
//   bit_flip(p)        ρ → (1−p)ρ + p XρX            phase_flip(p)      ρ → (1−p)ρ + p ZρZ
//   bit_phase_flip(p)  ρ → (1−p)ρ + p YρY
//   depolarizing(p)    ρ → (1−p)ρ + p I/2            (X, Y, Z each with probability p/4; p ∈ [0, 1])
//   depolarizing2(p)   ρ → (1−p)ρ + p I/4 on 2 qubits (each of the 15 non-identity Pauli pairs with probability p/16)
//   pauli(px, py, pz)  ρ → (1−px−py−pz)ρ + px XρX + py YρY + pz ZρZ
//   amplitude_damping(γ)     K0 = [[1,0],[0,√(1−γ)]], K1 = [[0,√γ],[0,0]]: |1⟩ decays to |0⟩ with probability γ
//   generalized_amplitude_damping(γ, p_exc)  relaxation towards the thermal state diag(1−p_exc, p_exc):
//                      K0,K1 = √(1−p_exc)·(amplitude damping), K2 = √p_exc [[√(1−γ),0],[0,1]], K3 = √p_exc [[0,0],[√γ,0]]
//   phase_damping(λ)   K0 = [[1,0],[0,√(1−λ)]], K1 = [[0,0],[0,√λ]]: off-diagonals × √(1−λ), populations kept
//   thermal_relaxation(T1, T2, t)  relaxation to |0⟩ for a time t: populations relax as ρ11 → e^{−t/T1} ρ11,
//                      coherences as ρ01 → e^{−t/T2} ρ01 (needs T2 ≤ 2·T1): amplitude damping γ = 1 − e^{−t/T1}
//                      followed by phase damping with √(1−λ) = e^{−t/T2 + t/(2T1)}.
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "qnn/core/complex.hpp"

namespace qnn {

class Channel {
 public:
  /// A named parameter, for descriptions and files.
  using Parameter = std::pair<std::string, double>;

  /// A channel on `num_qubits` qubits from 2^k × 2^k row-major Kraus matrices. Throws ValueError if a matrix has the
  /// wrong size, or if Σ K†K deviates from the identity by more than 1e-10 (the message gives the deviation).
  Channel(std::string name, unsigned num_qubits, std::vector<std::vector<cplx>> kraus,
          std::vector<Parameter> parameters = {});

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] unsigned num_qubits() const { return k_; }
  [[nodiscard]] const std::vector<std::vector<cplx>>& kraus() const { return kraus_; }
  [[nodiscard]] const std::vector<Parameter>& parameters() const { return params_; }
  /// "depolarizing(p=0.01)".
  [[nodiscard]] std::string description() const;

  /// S = Σ K ⊗ conj(K), in DensityMatrix::apply_superoperator's order (computed once).
  [[nodiscard]] const std::vector<cplx>& superoperator() const { return superop_; }

  /// For a Pauli (mixed-unitary) channel ρ → Σ_P p_P PρP†: the 4^k probabilities indexed by Pauli string, base-4
  /// digit j (0 = I, 1 = X, 2 = Y, 3 = Z) being the Pauli on qubit j. Trajectories sample a string from them instead of
  /// computing the norms ‖K_i ψ‖². Empty for other channels.
  [[nodiscard]] const std::vector<double>& pauli_probabilities() const { return pauli_; }
  [[nodiscard]] bool is_pauli() const { return !pauli_.empty(); }

  /// A Pauli channel from its 4^k probabilities (indexed as pauli_probabilities(); they must be ≥ 0 and sum to 1).
  static Channel from_pauli_probabilities(std::string name, unsigned num_qubits, std::vector<double> probabilities,
                                          std::vector<Parameter> parameters = {});

 private:
  std::string name_;
  unsigned k_ = 1;
  std::vector<std::vector<cplx>> kraus_;
  std::vector<Parameter> params_;
  std::vector<cplx> superop_;
  std::vector<double> pauli_;
};

Channel bit_flip(double p);
Channel phase_flip(double p);
Channel bit_phase_flip(double p);
Channel depolarizing(double p);
Channel depolarizing2(double p);
Channel pauli_channel(double px, double py, double pz);
Channel amplitude_damping(double gamma);
Channel generalized_amplitude_damping(double gamma, double excited_population);
Channel phase_damping(double lambda);
/// T1, T2 and t in seconds (any unit, as long as it is the same for all three); T1, T2 > 0, t ≥ 0, T2 ≤ 2·T1.
Channel thermal_relaxation(double t1, double t2, double gate_time);
/// A user channel from Kraus matrices (checked for Σ K†K = I to 1e-10).
Channel kraus_channel(unsigned num_qubits, std::vector<std::vector<cplx>> kraus, std::string name = "kraus");

/// The 2 × 2 matrix of Pauli 0 = I, 1 = X, 2 = Y, 3 = Z.
std::vector<cplx> pauli_matrix(unsigned pauli);

}  // namespace qnn
