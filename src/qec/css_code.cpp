#include "qnn/qec/css_code.hpp"

#include "qnn/core/error.hpp"

namespace qnn::qec {

namespace {

// `max_d` keeps a memory experiment (d rounds of a code with up to d² data qubits: ~d³ operations, and a decoding
// graph as large) within memory; a typo such as 100001 is refused at once instead of allocating until killed.
void check_odd(std::string_view name, unsigned d, unsigned max_d) {
  if (d < 3 || d % 2 == 0)
    throw ValueError(std::string(name) + " code distance " + std::to_string(d) + " must be odd and at least 3");
  if (d > max_d)
    throw ValueError(std::string(name) + " code distance " + std::to_string(d) + " is too large (at most " +
                     std::to_string(max_d) + ")");
}

Stabilizer stabilizer(std::vector<std::int32_t> qubits, double x, double y) { return {std::move(qubits), {x, y}}; }

}  // namespace

CssCode repetition_code(unsigned d, Basis basis) {
  check_odd("repetition", d, 10001);
  CssCode c;
  c.name = "repetition";
  c.distance = d;
  c.num_data = d;
  for (unsigned i = 0; i < d; ++i) c.data_coords.push_back({2.0 * i, 0});
  std::vector<std::uint32_t> all;
  for (unsigned i = 0; i < d; ++i) all.push_back(i);
  auto& checks = basis == Basis::Z ? c.z_stabilizers : c.x_stabilizers;
  for (unsigned i = 0; i + 1 < d; ++i)
    checks.push_back(stabilizer({static_cast<std::int32_t>(i), static_cast<std::int32_t>(i + 1)}, 2.0 * i + 1, 0));
  if (basis == Basis::Z) {
    c.logical_z = {0};
    c.logical_x = all;
  } else {
    c.logical_x = {0};
    c.logical_z = all;
  }
  return c;
}

CssCode steane_code() {
  CssCode c;
  c.name = "steane";
  c.distance = 3;
  c.num_data = 7;
  for (unsigned i = 0; i < 7; ++i) c.data_coords.push_back({2.0 * i, 0});
  // Qubit i (0-based) is Hamming position i+1; check b covers the positions with bit b set.
  const std::vector<std::vector<std::int32_t>> checks = {{0, 2, 4, 6}, {1, 2, 5, 6}, {3, 4, 5, 6}};
  for (std::size_t b = 0; b < checks.size(); ++b) {
    c.z_stabilizers.push_back(stabilizer(checks[b], 2.0 * b, 2));
    c.x_stabilizers.push_back(stabilizer(checks[b], 2.0 * b + 1, 2));
  }
  // Positions 1, 2, 3 form a weight-3 Hamming codeword outside the dual code: a minimum-weight logical.
  c.logical_x = {0, 1, 2};
  c.logical_z = {0, 1, 2};
  return c;
}

CssCode shor_code() {
  CssCode c;
  c.name = "shor";
  c.distance = 3;
  c.num_data = 9;
  for (unsigned i = 0; i < 9; ++i) c.data_coords.push_back({2.0 * (i % 3), 2.0 * (i / 3)});
  for (std::int32_t b = 0; b < 3; ++b)
    for (std::int32_t k = 0; k < 2; ++k) c.z_stabilizers.push_back(stabilizer({3 * b + k, 3 * b + k + 1}, 2.0 * k + 1, 2.0 * b));
  c.x_stabilizers.push_back(stabilizer({0, 1, 2, 3, 4, 5}, 5, 1));
  c.x_stabilizers.push_back(stabilizer({3, 4, 5, 6, 7, 8}, 5, 3));
  c.logical_z = {0, 3, 6};  // one qubit per block: even overlap with both X checks
  c.logical_x = {0, 1, 2};  // a whole block: even overlap with every Z check
  return c;
}

CssCode rotated_surface_code(unsigned d) {
  check_odd("surface", d, 101);
  CssCode c;
  c.name = "surface";
  c.distance = d;
  c.num_data = d * d;
  c.interleaved = true;
  // Data qubit (i, j) at (2i+1, 2j+1) has index j·d + i.
  for (unsigned j = 0; j < d; ++j)
    for (unsigned i = 0; i < d; ++i) c.data_coords.push_back({2.0 * i + 1, 2.0 * j + 1});
  auto data_at = [&](int x, int y) -> std::int32_t {
    if (x < 1 || y < 1 || x > static_cast<int>(2 * d - 1) || y > static_cast<int>(2 * d - 1)) return Stabilizer::kIdle;
    return static_cast<std::int32_t>(((y - 1) / 2) * static_cast<int>(d) + (x - 1) / 2);
  };
  // Offsets (dx, dy) in schedule order. An ancilla fault halfway spreads to the last two data qubits: for X checks
  // those share dy (a horizontal pair of X errors, across the vertical logical X), for Z checks they share dx
  // (a vertical pair of Z errors, across the horizontal logical Z). Both orders start and end on the same corner,
  // which makes every X/Z pair of neighbours meet their two shared qubits in the same order, so they still commute.
  constexpr int x_order[4][2] = {{1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
  constexpr int z_order[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
  for (unsigned b = 0; b <= d; ++b)
    for (unsigned a = 0; a <= d; ++a) {
      const bool boundary_lr = a == 0 || a == d, boundary_tb = b == 0 || b == d;
      const bool x_type = (a % 2) != (b % 2);
      if ((boundary_lr && x_type) || (boundary_tb && !x_type)) continue;
      const int x = 2 * static_cast<int>(a), y = 2 * static_cast<int>(b);
      Stabilizer s;
      s.coords = {static_cast<double>(x), static_cast<double>(y)};
      for (const auto& o : x_type ? x_order : z_order) s.qubits.push_back(data_at(x + o[0], y + o[1]));
      (x_type ? c.x_stabilizers : c.z_stabilizers).push_back(std::move(s));
    }
  for (unsigned j = 0; j < d; ++j) c.logical_x.push_back(j * d);  // column x = 1
  for (unsigned i = 0; i < d; ++i) c.logical_z.push_back(i);      // row y = 1
  return c;
}

std::vector<std::string_view> code_names() { return {"repetition", "steane", "shor", "surface"}; }

CssCode make_code(std::string_view name, unsigned distance, Basis basis) {
  if (name == "repetition") return repetition_code(distance, basis);
  if (name == "surface") return rotated_surface_code(distance);
  if (name == "steane" || name == "shor") {
    if (distance != 3)
      throw ValueError(std::string(name) + " code has distance 3, not " + std::to_string(distance));
    return name == "steane" ? steane_code() : shor_code();
  }
  std::string names;
  for (auto n : code_names()) names += (names.empty() ? "" : ", ") + std::string(n);
  throw ValueError("unknown code '" + std::string(name) + "' (known: " + names + ")");
}

}  // namespace qnn::qec
