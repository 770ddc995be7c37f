#pragma once
// Observables: Pauli strings and weighted sums of them, e.g. parse_pauli_sum("Z0 Z1 + 0.5 X2").
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "qnn/sim/pauli_masks.hpp"

namespace qnn {

/// A tensor product of single-qubit Paulis; qubits not named carry the identity.
class PauliString {
 public:
  PauliString() = default;
  /// One Pauli ('I', 'X', 'Y', 'Z') on one qubit.
  PauliString(char pauli, unsigned qubit);
  /// Product with another string on disjoint qubits (throws ValueError if they overlap).
  PauliString operator*(const PauliString& other) const;

  [[nodiscard]] const std::map<unsigned, char>& factors() const { return factors_; }
  [[nodiscard]] PauliMasks masks() const;
  /// 1 + the largest qubit named (0 for the identity).
  [[nodiscard]] unsigned min_qubits() const;
  /// e.g. "Z0 Z1"; "I" for the identity.
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const PauliString&, const PauliString&) = default;

 private:
  std::map<unsigned, char> factors_;
};

inline PauliString X(unsigned q) { return {'X', q}; }
inline PauliString Y(unsigned q) { return {'Y', q}; }
inline PauliString Z(unsigned q) { return {'Z', q}; }

/// Σ_k c_k P_k with real coefficients (a Hermitian observable).
class PauliSum {
 public:
  struct Term {
    double coeff;
    PauliString string;
  };
  PauliSum() = default;
  PauliSum(const PauliString& p) : terms_{{1.0, p}} {}  // NOLINT(google-explicit-constructor)
  PauliSum& add(double coeff, const PauliString& p);
  PauliSum operator*(double s) const;
  /// Each term times a string on disjoint qubits: (0.5 X0) * Z1 = 0.5 X0 Z1.
  PauliSum operator*(const PauliString& p) const;
  friend PauliSum operator+(const PauliSum& a, const PauliSum& b);
  friend PauliSum operator-(const PauliSum& a, const PauliSum& b);

  [[nodiscard]] const std::vector<Term>& terms() const { return terms_; }
  [[nodiscard]] unsigned min_qubits() const;
  [[nodiscard]] std::string to_string() const;

 private:
  std::vector<Term> terms_;
};

// Declared at namespace scope (not only as hidden friends) so PauliString + PauliString converts both sides.
PauliSum operator+(const PauliSum& a, const PauliSum& b);
inline PauliSum operator-(const PauliSum& a, const PauliSum& b) { return a + b * -1.0; }
inline PauliSum operator*(double s, const PauliString& p) { return PauliSum().add(s, p); }
inline PauliSum operator*(double s, const PauliSum& p) { return p * s; }

/// Parse "Z0 Z1 + 0.5 X2 - 2*Y1", "Z0*Z1", "-X3", "1.5" (identity term). Throws ParseError with the column.
PauliSum parse_pauli_sum(std::string_view text);
/// The same for an observable of a circuit with `num_qubits` qubits: an index >= num_qubits fails at its column with
/// "qubit K is out of range: the circuit has N qubits" (above 64 qubits, as parse_pauli_sum(text)).
PauliSum parse_pauli_sum(std::string_view text, unsigned num_qubits);

}  // namespace qnn
