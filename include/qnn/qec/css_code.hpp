#pragma once
// CSS stabilizer codes as data: data qubits, X- and Z-type stabilizers (each with the order in which its ancilla meets
// its data qubits) and a logical X and Z. memory_circuit turns one into a noisy syndrome-extraction experiment.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qnn::qec {

enum class Basis : std::uint8_t { Z, X };

struct Stabilizer {
  /// Data qubits in the order the ancilla meets them; kIdle marks a step where it waits (the surface code's
  /// weight-2 boundary stabilizers keep their place in the 4-step schedule).
  std::vector<std::int32_t> qubits = {};
  std::array<double, 2> coords = {0, 0};
  static constexpr std::int32_t kIdle = -1;
};

struct CssCode {
  std::string name = {};
  unsigned distance = 0;
  std::uint32_t num_data = 0;
  std::vector<std::array<double, 2>> data_coords = {};
  std::vector<Stabilizer> x_stabilizers = {};
  std::vector<Stabilizer> z_stabilizers = {};
  std::vector<std::uint32_t> logical_x = {};  // support of a logical X (X on each)
  std::vector<std::uint32_t> logical_z = {};  // support of a logical Z
  /// X and Z stabilizers may share CNOT layers: step k of every stabilizer runs in layer k (their orders are chosen so
  /// that each measured operator is still a stabilizer). Otherwise Z-type are measured before X-type, each packed
  /// greedily into layers.
  bool interleaved = false;
};

/// Repetition code of odd distance 3 ≤ d ≤ 10001: bit-flip (Z_i Z_{i+1} checks, logical Z = Z_0) for a Z-basis memory,
/// phase-flip (X_i X_{i+1}, logical X = X_0) for an X-basis one.
CssCode repetition_code(unsigned distance, Basis basis = Basis::Z);
/// Steane [[7,1,3]]: both check types from the Hamming code's parity checks.
CssCode steane_code();
/// Shor [[9,1,3]]: Z checks within the three blocks of three, X checks across neighbouring blocks.
CssCode shor_code();
/// Rotated surface code [[d², 1, d]] of odd distance 3 ≤ d ≤ 101: data at odd (x, y) in [1, 2d−1]², ancillas at even
/// coordinates; X-type boundaries at the top and bottom, Z-type at the left and right; logical X a column, logical Z
/// a row. The CNOT orders (X: N-shape, Z: Z-shape) put each hook error perpendicular to the logical it could shorten.
CssCode rotated_surface_code(unsigned distance);

/// "repetition", "steane", "shor", "surface" (ValueError for other names, an even distance or a distance the code
/// does not have).
CssCode make_code(std::string_view name, unsigned distance, Basis basis = Basis::Z);
std::vector<std::string_view> code_names();

}  // namespace qnn::qec
