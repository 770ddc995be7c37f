#include "qnn/qec/tableau.hpp"

#include <bit>
#include <utility>

#include "qnn/core/error.hpp"

namespace qnn::qec {

Tableau::Tableau(std::uint32_t num_qubits)
    : n_(num_qubits),
      words_((std::size_t{num_qubits} + 63) / 64),
      xs_((2 * std::size_t{num_qubits} + 1) * words_, 0),
      zs_((2 * std::size_t{num_qubits} + 1) * words_, 0),
      signs_(2 * std::size_t{num_qubits} + 1, 0) {
  for (std::uint32_t q = 0; q < n_; ++q) {
    xs_[q * words_ + q / 64] |= std::uint64_t{1} << (q % 64);
    zs_[(n_ + q) * words_ + q / 64] |= std::uint64_t{1} << (q % 64);
  }
}

// Each gate rewrites one or two bit columns of every generator. With a = bit of x, b = bit of z on the qubit, the
// conjugation rules (AG, Table 1 and their composites) are:
//   H: (a, b) → (b, a), sign ^= a·b           S: b ^= a, sign ^= a·b          S†: b ^= a, sign ^= a·¬b
//   X: sign ^= b      Z: sign ^= a      Y: sign ^= a ⊕ b
//   CX(c,t): x_t ^= x_c, z_c ^= z_t, sign ^= x_c·z_t·(x_t ⊕ z_c ⊕ 1)
//   CZ(a,b): z_a ^= x_b, z_b ^= x_a, sign ^= x_a·x_b·(z_a ⊕ z_b)
template <class Fn>
static void for_rows(std::uint32_t rows, Fn&& fn) {
  for (std::uint32_t r = 0; r < rows; ++r) fn(r);
}

void Tableau::h(std::uint32_t q) {
  const std::size_t w = q / 64;
  const unsigned sh = q % 64;
  for_rows(2 * n_, [&](std::uint32_t r) {
    std::uint64_t& xw = xs_[r * words_ + w];
    std::uint64_t& zw = zs_[r * words_ + w];
    const std::uint64_t a = (xw >> sh) & 1U, b = (zw >> sh) & 1U;
    signs_[r] ^= static_cast<std::uint8_t>(a & b);
    const std::uint64_t diff = (a ^ b) << sh;
    xw ^= diff;
    zw ^= diff;
  });
}

void Tableau::s(std::uint32_t q) {
  const std::size_t w = q / 64;
  const unsigned sh = q % 64;
  for_rows(2 * n_, [&](std::uint32_t r) {
    const std::uint64_t a = (xs_[r * words_ + w] >> sh) & 1U;
    std::uint64_t& zw = zs_[r * words_ + w];
    signs_[r] ^= static_cast<std::uint8_t>(a & (zw >> sh));
    zw ^= a << sh;
  });
}

void Tableau::s_dag(std::uint32_t q) {
  const std::size_t w = q / 64;
  const unsigned sh = q % 64;
  for_rows(2 * n_, [&](std::uint32_t r) {
    const std::uint64_t a = (xs_[r * words_ + w] >> sh) & 1U;
    std::uint64_t& zw = zs_[r * words_ + w];
    signs_[r] ^= static_cast<std::uint8_t>(a & ~(zw >> sh) & 1U);
    zw ^= a << sh;
  });
}

void Tableau::x(std::uint32_t q) {
  for_rows(2 * n_, [&](std::uint32_t r) { signs_[r] ^= static_cast<std::uint8_t>(bit(zs_, r, q)); });
}
void Tableau::z(std::uint32_t q) {
  for_rows(2 * n_, [&](std::uint32_t r) { signs_[r] ^= static_cast<std::uint8_t>(bit(xs_, r, q)); });
}
void Tableau::y(std::uint32_t q) {
  for_rows(2 * n_, [&](std::uint32_t r) { signs_[r] ^= static_cast<std::uint8_t>(bit(xs_, r, q) ^ bit(zs_, r, q)); });
}

void Tableau::cx(std::uint32_t c, std::uint32_t t) {
  const std::size_t wc = c / 64, wt = t / 64;
  const unsigned sc = c % 64, st = t % 64;
  for_rows(2 * n_, [&](std::uint32_t r) {
    std::uint64_t* xr = &xs_[r * words_];
    std::uint64_t* zr = &zs_[r * words_];
    const std::uint64_t xc = (xr[wc] >> sc) & 1U, zc = (zr[wc] >> sc) & 1U;
    const std::uint64_t xt = (xr[wt] >> st) & 1U, zt = (zr[wt] >> st) & 1U;
    signs_[r] ^= static_cast<std::uint8_t>(xc & zt & (xt ^ zc ^ 1U));
    xr[wt] ^= xc << st;
    zr[wc] ^= zt << sc;
  });
}

void Tableau::cz(std::uint32_t a, std::uint32_t b) {
  const std::size_t wa = a / 64, wb = b / 64;
  const unsigned sa = a % 64, sb = b % 64;
  for_rows(2 * n_, [&](std::uint32_t r) {
    std::uint64_t* xr = &xs_[r * words_];
    std::uint64_t* zr = &zs_[r * words_];
    const std::uint64_t xa = (xr[wa] >> sa) & 1U, za = (zr[wa] >> sa) & 1U;
    const std::uint64_t xb = (xr[wb] >> sb) & 1U, zb = (zr[wb] >> sb) & 1U;
    signs_[r] ^= static_cast<std::uint8_t>(xa & xb & (za ^ zb));
    zr[wa] ^= xb << sa;
    zr[wb] ^= xa << sb;
  });
}

void Tableau::swap(std::uint32_t a, std::uint32_t b) {
  const std::size_t wa = a / 64, wb = b / 64;
  const unsigned sa = a % 64, sb = b % 64;
  for (std::vector<std::uint64_t>* m : {&xs_, &zs_}) {
    for_rows(2 * n_, [&](std::uint32_t r) {
      std::uint64_t* row = &(*m)[r * words_];
      const std::uint64_t d = ((row[wa] >> sa) ^ (row[wb] >> sb)) & 1U;
      row[wa] ^= d << sa;
      row[wb] ^= d << sb;
    });
  }
}

// AG's rowsum: P_h ← P_i · P_h. For each qubit, multiplying the single-qubit Paulis P1 = (x1, z1) of row i and
// P2 = (x2, z2) of row h gives a factor i^g with g ∈ {0, ±1} (AG's function g); summed over qubits with the two signs,
// the exponent of i is 2 r_h + 2 r_i + Σ g ≡ 0 or 2 (mod 4) since the rows commute or the result is Hermitian.
// Word-parallel: g = +1 where (P1, P2) ∈ {(Y, Z), (X, Y), (Z, X)} and −1 where (P1, P2) ∈ {(Y, X), (X, Z), (Z, Y)}.
void Tableau::multiply_into(std::uint32_t h, std::uint32_t i) {
  std::uint64_t* xh = &xs_[h * words_];
  std::uint64_t* zh = &zs_[h * words_];
  const std::uint64_t* xi = &xs_[i * words_];
  const std::uint64_t* zi = &zs_[i * words_];
  int sum = 2 * signs_[h] + 2 * signs_[i];
  for (std::size_t w = 0; w < words_; ++w) {
    const std::uint64_t x1 = xi[w], z1 = zi[w], x2 = xh[w], z2 = zh[w];
    const std::uint64_t y1 = x1 & z1, xo1 = x1 & ~z1, zo1 = ~x1 & z1;
    const std::uint64_t pos = (y1 & z2 & ~x2) | (xo1 & x2 & z2) | (zo1 & x2 & ~z2);
    const std::uint64_t neg = (y1 & x2 & ~z2) | (xo1 & z2 & ~x2) | (zo1 & x2 & z2);
    sum += std::popcount(pos) - std::popcount(neg);
    xh[w] = x2 ^ x1;
    zh[w] = z2 ^ z1;
  }
  signs_[h] = static_cast<std::uint8_t>(((sum % 4) + 4) % 4 == 2);
}

void Tableau::copy_row(std::uint32_t to, std::uint32_t from) {
  for (std::size_t w = 0; w < words_; ++w) {
    xs_[to * words_ + w] = xs_[from * words_ + w];
    zs_[to * words_ + w] = zs_[from * words_ + w];
  }
  signs_[to] = signs_[from];
}

void Tableau::clear_row(std::uint32_t row) {
  for (std::size_t w = 0; w < words_; ++w) xs_[row * words_ + w] = zs_[row * words_ + w] = 0;
  signs_[row] = 0;
}

bool Tableau::is_deterministic_z(std::uint32_t q) const {
  for (std::uint32_t p = n_; p < 2 * n_; ++p)
    if (bit(xs_, p, q)) return false;
  return true;
}

int Tableau::measure_z(std::uint32_t q, Rng& rng) {
  if (q >= n_) throw ValueError("qubit " + std::to_string(q) + " is outside the tableau's " + std::to_string(n_));
  std::uint32_t p = n_;
  while (p < 2 * n_ && !bit(xs_, p, q)) ++p;
  if (p < 2 * n_) {
    // Random outcome: every other generator that anticommutes with Z_q absorbs stabilizer p; p's old value becomes
    // the destabilizer of the new stabilizer ±Z_q.
    for (std::uint32_t i = 0; i < 2 * n_; ++i)
      if (i != p && bit(xs_, i, q)) multiply_into(i, p);
    copy_row(p - n_, p);
    clear_row(p);
    zs_[p * words_ + q / 64] |= std::uint64_t{1} << (q % 64);
    const int outcome = static_cast<int>(rng() >> 63);
    signs_[p] = static_cast<std::uint8_t>(outcome);
    return outcome;
  }
  // Determined outcome: ±Z_q is the product of the stabilizers whose destabilizers anticommute with Z_q.
  const std::uint32_t scratch = 2 * n_;
  clear_row(scratch);
  for (std::uint32_t i = 0; i < n_; ++i)
    if (bit(xs_, i, q)) multiply_into(scratch, i + n_);
  return signs_[scratch];
}

int Tableau::measure_x(std::uint32_t q, Rng& rng) {
  h(q);
  const int m = measure_z(q, rng);
  h(q);
  return m;
}

void Tableau::reset_z(std::uint32_t q, Rng& rng) {
  if (measure_z(q, rng)) x(q);
}

void Tableau::reset_x(std::uint32_t q, Rng& rng) {
  h(q);
  reset_z(q, rng);
  h(q);
}

std::string Tableau::stabilizer_string(std::uint32_t i) const {
  std::string s(1, stabilizer_sign(i) ? '-' : '+');
  for (std::uint32_t q = 0; q < n_; ++q) s += "_XZY"[stabilizer_x(i, q) + 2 * stabilizer_z(i, q)];
  return s;
}

void apply_circuit(Tableau& t, const Circuit& circuit) {
  if (circuit.num_qubits() > t.num_qubits())
    throw ValueError("circuit has " + std::to_string(circuit.num_qubits()) + " qubits, the tableau " +
                     std::to_string(t.num_qubits()));
  for (const Operation& op : circuit.ops()) {
    const auto& q = op.qubits;
    if (!op.controls.empty())
      throw ValueError("gate " + std::string(op.info().name) + " with extra controls is not a tableau gate");
    switch (op.kind) {
      case GateKind::I: break;
      case GateKind::X: t.x(q[0]); break;
      case GateKind::Y: t.y(q[0]); break;
      case GateKind::Z: t.z(q[0]); break;
      case GateKind::H: t.h(q[0]); break;
      case GateKind::S: t.s(q[0]); break;
      case GateKind::Sdg: t.s_dag(q[0]); break;
      case GateKind::CX: t.cx(q[0], q[1]); break;
      case GateKind::CZ: t.cz(q[0], q[1]); break;
      case GateKind::SWAP: t.swap(q[0], q[1]); break;
      default:
        throw ValueError("gate " + std::string(op.info().name) +
                         " is not a tableau gate (allowed: id x y z h s sdg cx cz swap)");
    }
  }
}

namespace {

// Pauli k ∈ {1 X, 2 Y, 3 Z} as a gate.
void apply_pauli(Tableau& t, unsigned k, std::uint32_t q) {
  if (k == 1) t.x(q);
  if (k == 2) t.y(q);
  if (k == 3) t.z(q);
}

}  // namespace

std::vector<std::uint8_t> tableau_sample(const CliffordCircuit& circuit, Rng& rng, bool with_noise) {
  Tableau t(circuit.num_qubits());
  std::vector<std::uint8_t> record;
  record.reserve(circuit.num_measurements());
  for (const Instruction& op : circuit.instructions()) {
    const auto& q = op.targets;
    switch (op.code) {
      case OpCode::H: for (auto a : q) t.h(a); break;
      case OpCode::S: for (auto a : q) t.s(a); break;
      case OpCode::S_DAG: for (auto a : q) t.s_dag(a); break;
      case OpCode::X: for (auto a : q) t.x(a); break;
      case OpCode::Y: for (auto a : q) t.y(a); break;
      case OpCode::Z: for (auto a : q) t.z(a); break;
      case OpCode::CX: for (std::size_t i = 0; i < q.size(); i += 2) t.cx(q[i], q[i + 1]); break;
      case OpCode::CZ: for (std::size_t i = 0; i < q.size(); i += 2) t.cz(q[i], q[i + 1]); break;
      case OpCode::SWAP: for (std::size_t i = 0; i < q.size(); i += 2) t.swap(q[i], q[i + 1]); break;
      case OpCode::M: for (auto a : q) record.push_back(static_cast<std::uint8_t>(t.measure_z(a, rng))); break;
      case OpCode::MX: for (auto a : q) record.push_back(static_cast<std::uint8_t>(t.measure_x(a, rng))); break;
      case OpCode::R: for (auto a : q) t.reset_z(a, rng); break;
      case OpCode::RX: for (auto a : q) t.reset_x(a, rng); break;
      case OpCode::X_ERROR:
      case OpCode::Z_ERROR:
        if (with_noise)
          for (auto a : q)
            if (rng.uniform() < op.args[0]) op.code == OpCode::X_ERROR ? t.x(a) : t.z(a);
        break;
      case OpCode::DEPOLARIZE1:
        if (with_noise)
          for (auto a : q)
            if (rng.uniform() < op.args[0]) apply_pauli(t, 1 + static_cast<unsigned>(rng.below(3)), a);
        break;
      case OpCode::DEPOLARIZE2:
        if (with_noise)
          for (std::size_t i = 0; i < q.size(); i += 2)
            if (rng.uniform() < op.args[0]) {
              const auto k = 1 + static_cast<unsigned>(rng.below(15));  // (k mod 4, k div 4) ≠ (I, I)
              apply_pauli(t, k & 3U, q[i]);
              apply_pauli(t, k >> 2, q[i + 1]);
            }
        break;
      case OpCode::DETECTOR:
      case OpCode::OBSERVABLE_INCLUDE:
      case OpCode::TICK: break;
    }
  }
  return record;
}

void record_parities(const CliffordCircuit& circuit, std::span<const std::uint8_t> record,
                     std::vector<std::uint8_t>& detectors, std::uint64_t& observables) {
  detectors.clear();
  observables = 0;
  std::size_t measured = 0;
  for (const Instruction& op : circuit.instructions()) {
    if (is_measurement(op.code)) measured += op.targets.size();
    if (op.code != OpCode::DETECTOR && op.code != OpCode::OBSERVABLE_INCLUDE) continue;
    std::uint8_t v = 0;
    for (std::uint32_t k : op.targets) v ^= record[measured - k];
    if (op.code == OpCode::DETECTOR)
      detectors.push_back(v);
    else
      observables ^= std::uint64_t{v} << static_cast<unsigned>(op.args[0]);
  }
}

}  // namespace qnn::qec
