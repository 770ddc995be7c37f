#pragma once
// Gate kernels, compiled once per instruction set (scalar/SSE2, AVX2+FMA, AVX-512) from one generic source and chosen
// at run time for the CPU the binary runs on (Highway's habit, without the library): one binary, best code on each
// machine. The scalar reference in state_vector.cpp is what every fast path is tested against.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "qnn/core/bits.hpp"
#include "qnn/core/complex.hpp"

namespace qnn {

enum class Isa : std::uint8_t { Reference, Scalar, Avx2, Avx512 };

/// Name for messages and benchmark rows: "reference", "scalar", "avx2", "avx512".
std::string_view isa_name(Isa isa);
/// The best instruction set this CPU supports (and that this binary was built with).
Isa best_isa();
/// The instruction set gate kernels use now (default best_isa(); QNN_ISA=reference|scalar|avx2|avx512 overrides).
Isa active_isa();
/// Select the kernels (tests and benchmarks compare them). Throws ValueError if the CPU lacks `isa`.
void set_active_isa(Isa isa);
bool isa_supported(Isa isa);

namespace kernels {

/// ψ ← C(M) ψ: dense 2^k × 2^k `matrix` (row-major, little-endian over `targets`) on the amplitudes where every
/// control is 1. `targets` and `controls` are distinct and < n; 1 ≤ k ≤ 5. Implemented by every Isa except
/// Reference. Requires n ≥ 6 (the vector code works on whole 64-byte groups).
template <Real T>
void apply_dense(Isa isa, complex<T>* psi, unsigned n, std::span<const unsigned> targets, std::span<const cplx> matrix,
                 std::span<const unsigned> controls);

/// One gate of a run for apply_dense_run: as apply_dense's arguments.
struct DenseGate {
  std::span<const unsigned> targets;
  std::span<const cplx> matrix;
  std::span<const unsigned> controls;
};

/// The gates in order, each as apply_dense would apply it; consecutive gates on low qubits share one pass over the
/// state, block by block (dense_block_bytes()). Same requirements as apply_dense.
template <Real T>
void apply_dense_run(Isa isa, complex<T>* psi, unsigned n, std::span<const DenseGate> gates);

/// ψ ← C(M) ψ for a 2 × 2 `matrix` on qubit t of a small state (n ≥ 1), controlled on the qubits of `ctrl_mask`
/// (`num_controls` of them, none equal to t): one pass over the pairs in split (re, im) arithmetic, with none of
/// apply_dense's set-up, since at 16 amplitudes a gate is all overhead. Implemented by every Isa except Reference.
template <Real T>
void apply_1q_small(Isa isa, complex<T>* psi, unsigned n, unsigned t, index_t ctrl_mask, unsigned num_controls,
                    const cplx* matrix);
/// ψ ← M ψ for a 4 × 4 `matrix` on qubits t0 ≠ t1 (t0 the low bit of the matrix index), no controls, n ≥ 2: one
/// pass in apply_1q_small's arithmetic, none of apply_dense's set-up. Implemented by every Isa except Reference.
template <Real T>
void apply_2q_small(Isa isa, complex<T>* psi, unsigned n, unsigned t0, unsigned t1, const cplx* matrix);
/// Σ over the pairs j in [p0, p1) of a 1-qubit gate on qubit t (amplitudes i0 = j with a zero inserted at bit t,
/// i1 = i0 + 2^t) of conj(bra_i0)(m00 ket_i0 + m01 ket_i1) + conj(bra_i1)(m10 ket_i0 + m11 ket_i1): one block of
/// ⟨bra| M_t |ket⟩, without controls; p0 and p1 even where t > 0. Implemented by every Isa except Reference.
template <Real T>
cplx matrix_element_1q(Isa isa, const complex<T>* bra, const complex<T>* ket, unsigned t, index_t p0, index_t p1,
                       const cplx* matrix);

/// Σ over rows i in [r0, r1) (both even) of conj(ψ_{i⊕x}) (−1)^{|i∧z|} ψ_i: one block of ⟨ψ|P|ψ⟩ / i^{#Y} for the
/// Pauli string with X mask x and Z mask z. Implemented by every Isa except Reference.
template <Real T>
cplx pauli_sum(Isa isa, const complex<T>* psi, index_t x, index_t z, index_t r0, index_t r1);
/// out_o += f (−1)^{|(o⊕x)∧z|} src_{o⊕x} for rows o in [r0, r1) (both even): out += f·P src / i^{#Y}, each output row
/// written by one call. Implemented by every Isa except Reference.
template <Real T>
void add_pauli(Isa isa, const complex<T>* src, complex<T>* out, index_t x, index_t z, cplx f, index_t r0, index_t r1);

/// One gate of the adjoint sweep's backward pass (kernels::adjoint_steps): U on `target`, controlled on the first
/// `num_controls` of `controls`. The step reads φ = ψ_k and λ, computes sums[p] = Re ⟨λ| G_p |φ⟩ for each of the
/// `num_generators` (at most 3) 2 × 2 G_p = D_p U† (D_p = ∂U/∂θ_p, so that this is Re ⟨λ| D_p |U†φ⟩; G_p acts where
/// every control is 1 and is zero elsewhere, as ∂C(U)/∂θ is), then sets φ ← C(U†)φ and λ ← C(U†)λ (batched_adjoint_step
/// skips λ where `update_lambda` is false; adjoint_steps always updates it, which costs one step per sweep and keeps a
/// branch out of its inner loop). Matrices are row-major.
struct AdjointStep {
  unsigned target = 0;
  unsigned num_controls = 0;
  std::array<unsigned, 16> controls{};
  std::array<cplx, 4> u_dag{};
  std::array<std::array<cplx, 4>, 3> generators{};
  unsigned num_generators = 0;
  bool update_lambda = true;
  std::array<double, 3> sums{};  // out
};
inline constexpr unsigned kMaxAdjointStepControls = 16;

/// The steps in order, on states of n ≥ kMinVectorQubits qubits, each in one pass over both states; consecutive
/// steps on low qubits share one pass, block by block of both states. Sums are added in a fixed order: the result does
/// not depend on the thread count. Implemented by every Isa except Reference.
template <Real T>
void adjoint_steps(Isa isa, complex<T>* phi, complex<T>* lambda, unsigned n, std::span<AdjointStep> steps);

/// A group of commuting diagonal gates (RZ, P, CZ, CRZ, RZZ, …) applied to φ and λ in one pass, where the adjoint
/// sweep would take one pass per gate. The group's diagonal is d(i) = lo[i mod 2^k] · hi[i >> k] (k = low_qubits, at
/// least 3, at most n; lo has 2^k entries, hi 2^(n−k)). With correlations asked for (corr_lo and corr_hi not empty,
/// λ given): corr_lo[j] = Σ_b c(b·2^k + j) and corr_hi[b] = Σ_j c(b·2^k + j) for c(i) = Im(conj(λ_i) φ_i), which a
/// phase on both states leaves as it is, so each diagonal generator's Re⟨λ|G|φ⟩ is a signed sum of one of them. Then
/// φ ← d ∘ φ and, if λ is not null, λ ← d ∘ λ. Sums are added in a fixed order: the result does not depend on the
/// thread count. Requires n ≥ kMinVectorQubits; implemented by every Isa except Reference.
struct DiagonalPass {
  unsigned low_qubits = 0;
  std::span<const cplx> lo, hi;
  std::span<double> corr_lo, corr_hi;
};
template <Real T>
void diagonal_pass(Isa isa, complex<T>* phi, complex<T>* lambda, unsigned n, const DiagonalPass& pass);
/// The same on batched states (layout below; n ≥ 1, k ≤ n): every sample gets d, and c(i) is summed over the batch
/// too. lam_re and lam_im may be null (φ only, no correlations).
template <Real T>
void batched_diagonal_pass(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                           const DiagonalPass& pass);

/// One step of the batched adjoint sweep, the same U on every sample of batched states (layout below; n ≥ 1, one
/// target, controls as in `step`): step.sums[p] = Σ_b Re ⟨λ_b| G_p |φ_b⟩, then φ_b ← C(U†)φ_b, and λ_b ← C(U†)λ_b if
/// step.update_lambda, in one pass over both states. Summed in fixed chunks in order. With `per_sample` (B ×
/// num_generators entries), each sample's Re ⟨λ_b| G_p |φ_b⟩ is also written there, at [p·B + b] (per-sample
/// gradients; step.sums are then their sums).
template <Real T>
void batched_adjoint_step(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                          AdjointStep& step, double* per_sample = nullptr);
/// Whether batched_adjoint_pair applies this RY-like step's U† negated (its cosine is negative: the shears keep the
/// angle within a quarter turn), which negates both states.
inline bool adjoint_pair_negates(const AdjointStep& step) { return step.u_dag[0].real() < 0; }
/// Two consecutive steps, `first` then `second`, as two batched_adjoint_step calls would take them (both update λ),
/// in one pass over both states, when both are RY-like: one target, no controls, U† a real rotation, at least one
/// generator and every generator real with a zero diagonal, and the targets differ. Returns false, and does nothing,
/// otherwise. The sums are the two steps'; the states may come out negated, both together (a step whose U† has a
/// negative cosine is applied as −U†), which no correlation taken from them afterwards sees. With `per_sample`
/// ((first.num_generators + second.num_generators) × B entries), each sample's terms are written there too: first's
/// generator p at [p·B + b], then second's after first's rows.
template <Real T>
bool batched_adjoint_pair(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                          AdjointStep& first, AdjointStep& second, double* per_sample = nullptr);

/// Batched states (qnn/sim/batched_state.hpp: re[i·B + b], im[i·B + b]), arguments already checked: ψ_b ← C(M_b)ψ_b
/// with M_b = matrices[b·dim² …] if per_sample, else the one matrix for all samples.
template <Real T>
void batched_apply(Isa isa, T* re, T* im, unsigned n, unsigned B, std::span<const unsigned> targets,
                   std::span<const cplx> matrices, bool per_sample, std::span<const unsigned> controls);
/// Two real 1-qubit gates without controls on batched states in one pass: `ma` on qubit qa, then `mb` on qubit qb
/// (qa ≠ qb, n ≥ 2). Each matrix is row-major, shared (4 entries) or per sample (entry e of sample b at
/// m[e·B + b]).
template <Real T>
void batched_real_pair(Isa isa, T* re, T* im, unsigned n, unsigned B, unsigned qa, const T* ma, bool per_sample_a,
                       unsigned qb, const T* mb, bool per_sample_b);
/// out[b] = ⟨ψ_b|P|ψ_b⟩ for the Pauli string with X mask x, Z mask z and ny Y factors; summed in index order.
template <Real T>
void batched_expectation(Isa isa, const T* re, const T* im, unsigned n, unsigned B, index_t x, index_t z,
                         unsigned ny, double* out);
/// ψ_b ← ψ_b + coeff[b] · P src_b (ψ_b ← coeff[b] · P src_b if not `accumulate`).
template <Real T>
void batched_add_pauli(Isa isa, const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B, index_t x,
                       index_t z, unsigned ny, const double* coeff, bool accumulate = true);
/// At most kMaxZTerms Z strings (masks z[0 … terms)) at once, one pass each: out[t·B + b] = ⟨ψ_b|Z_{z_t}|ψ_b⟩
/// (every row's |ψ|² summed into one of 2^terms sums by its signs, in index order; each term from those sums), and
/// ψ_b[i] ← d_b(i)·src_b[i] with d_b(i) = Σ_t (−1)^{|i∧z_t|} coeff[t·B + b] (a readout's λ = Σ_t c_t Z_t ψ).
inline constexpr unsigned kMaxZTerms = 4;
template <Real T>
void batched_z_expectations(Isa isa, const T* re, const T* im, unsigned n, unsigned B, const index_t* z,
                            unsigned terms, double* out);
template <Real T>
void batched_z_weighted(Isa isa, const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B,
                        const index_t* z, unsigned terms, const double* coeff);
/// Writes a product state on every sample, whatever the state held: ψ_b[i] = Π_q v_q,b[bit q of i], with
/// Re v_q,b[s] at vr[(2q + s)·B + b] and Im at vi[…] (n ≥ 1).
template <Real T>
void batched_product_state(Isa isa, T* re, T* im, unsigned n, unsigned B, const T* vr, const T* vi);
/// conj(λ) contracted with per-sample product weights over either half of the qubits (n ≥ 1, 0 ≤ k ≤ n; rows
/// i = h·2^k + l): tlo[l·B + b] = Σ_h conj(λ_b[i])·ah[h·B + b] and thi[h·B + b] = Σ_l conj(λ_b[i])·al[l·B + b],
/// complex as separate real and imaginary arrays, both written whole. Summed in fixed chunks in order. With the
/// weights products of one-qubit states, what is left is each half's tensor for the gradients of a product-state layer
/// (batched_adjoint.cpp).
template <Real T>
void batched_product_contract(Isa isa, const T* lam_re, const T* lam_im, unsigned n, unsigned B, unsigned k,
                              const double* al_re, const double* al_im, const double* ah_re, const double* ah_im,
                              double* tlo_re, double* tlo_im, double* thi_re, double* thi_im);
/// Rows moved through a permutation with a phase each, in place (batched layout, n ≥ 1): row j becomes d[j]·(row
/// m(j) as it was) on every sample. The permutation m is given by its cycles: cycle c is cycle_rows[cycle_starts[c]
/// … cycle_starts[c + 1]), each row followed by its m (the last by the first), and cycle_starts[num_cycles] = 2^n.
/// λ (lam_re and lam_im, or both null) the same, and then corr[m(j)] = Σ_b Im(conj(λ_b)·φ_b) of the row m(j) as it
/// was. A permutation run with the diagonal groups on either side of it, in one pass.
template <Real T>
void batched_permute_phase(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                           const index_t* cycle_rows, const index_t* cycle_starts, index_t num_cycles, const cplx* d,
                           double* corr);
/// out[b] = ⟨bra_b| C(M_b) |ket_b⟩ (M_b as in batched_apply); summed in group order.
template <Real T>
void batched_matrix_element(Isa isa, const T* bra_re, const T* bra_im, const T* ket_re, const T* ket_im, unsigned n,
                            unsigned B, std::span<const unsigned> targets, std::span<const cplx> matrices,
                            bool per_sample, std::span<const unsigned> controls, cplx* out);

/// apply_dense copies a gate's far streams through a small buffer when two of them are at least this many bytes apart
/// (default 256 MiB: on AMD Zen, streams a multiple of 256 MiB apart collide in L1; dense_impl.hpp, staged_sweep).
/// Tests lower it to run the staged sweep on small states.
std::size_t stage_from_bytes();
void set_stage_from_bytes(std::size_t bytes);
/// From this state size (default 8 MiB) apply_dense runs a gate whose streams fall into independent parts (RXX, RYY,
/// iSWAP) as one sweep per part, skipping parts the gate leaves as they are. Tests lower it to cover small states.
std::size_t split_from_bytes();
void set_split_from_bytes(std::size_t bytes);

/// The bytes of the state that apply_dense_run keeps per block (default 256 KiB, half of this machine's L2; rounded
/// down to a power of two). Tests lower it to run blocks on small states.
std::size_t dense_block_bytes();
void set_dense_block_bytes(std::size_t bytes);
/// The bytes of one state that adjoint_steps keeps per block while consecutive low-qubit steps share a pass (default
/// 8 KiB: both states' blocks, 16 KiB, stay in L1; rounded down to a power of two). Tests lower it to run blocks on
/// small states.
std::size_t adjoint_block_bytes();
void set_adjoint_block_bytes(std::size_t bytes);

/// Smallest state on which the vector kernels run.
inline constexpr unsigned kMinVectorQubits = 6;
inline constexpr unsigned kMaxDenseQubits = 5;

}  // namespace kernels
}  // namespace qnn
