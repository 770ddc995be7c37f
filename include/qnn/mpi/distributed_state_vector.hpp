#pragma once
// A state vector split over 2^k MPI ranks by its top k qubits (QuEST's layout): rank r holds the 2^(n−k) amplitudes
// whose index has r in bits n−k … n−1, as an ordinary StateVector<T> of n−k "local" qubits, so every gate on local
// qubits runs on the ordinary kernels. Qubits n−k … n−1 are "global": their value is fixed on each rank.
//
// A gate on global targets:
//  * diagonal (Z, S, T, RZ, P, CZ, CRZ, CP, RZZ, diagonal user matrices): each rank applies the diagonal restricted to
//    its value of the global bits — no communication;
//  * otherwise each global target g is swapped with a local qubit l that the gate does not act on (SWAP(g, l) is a
//    pairwise exchange: rank r and r ⊕ 2^(g−(n−k)) trade the half of their slice whose bit l differs from their bit g,
//    in chunks of at most exchange_chunk() amplitudes through MPI_Sendrecv, so the extra memory stays bounded), the
//    gate runs locally, and the swap is undone. A control on a global qubit is 0 on a rank (the rank skips the gate)
//    or 1 (the control is dropped); every rank of an exchanging pair agrees, since they differ only in target bits.
// Observables, probabilities, sampling and inner products reduce over ranks in rank order (mpi::ordered_sum), so every
// rank gets the same bits whatever MPI's reduction tree is.
//
// Every member function except the accessors is collective: all ranks call it with the same arguments.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/mpi/environment.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn::mpi {

template <Real T>
class DistributedStateVector {
 public:
  using value_type = complex<T>;

  /// |0…0⟩ on `num_qubits` qubits over the ranks of MPI_COMM_WORLD. Throws ValueError (the same on every rank) when
  /// the rank count is not a power of two or exceeds the 2^num_qubits amplitudes.
  explicit DistributedStateVector(unsigned num_qubits);

  /// Checks that `ranks` ranks can hold an n-qubit state (a power of two, at most 2^n); throws ValueError naming both.
  static void check_layout(unsigned num_qubits, int ranks);

  [[nodiscard]] unsigned num_qubits() const noexcept { return n_; }
  [[nodiscard]] unsigned num_local_qubits() const noexcept { return local_.num_qubits(); }
  [[nodiscard]] unsigned num_global_qubits() const noexcept { return n_ - local_.num_qubits(); }
  /// This rank's slice: global index = (rank << num_local_qubits()) | local index.
  [[nodiscard]] const StateVector<T>& local() const noexcept { return local_; }
  [[nodiscard]] StateVector<T>& local() noexcept { return local_; }
  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int ranks() const noexcept { return size_; }

  /// Bytes this rank has sent to partners so far (received is the same amount).
  [[nodiscard]] std::uint64_t bytes_sent() const noexcept { return bytes_sent_; }
  /// Largest number of amplitudes one MPI_Sendrecv moves (default 2^20: 16 MiB in double; tests set it small to
  /// cover the chunking).
  [[nodiscard]] index_t exchange_chunk() const noexcept { return chunk_; }
  void set_exchange_chunk(index_t amplitudes);

  // --- gates --------------------------------------------------------------------------------------------------------
  /// As StateVector::apply_matrix, with targets and controls anywhere in [0, n). `diagonal`: the matrix is diagonal
  /// (no exchange is needed for global targets).
  void apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix, std::span<const unsigned> controls,
                    bool diagonal = false);
  /// One circuit operation (or its inverse) at bound angles.
  void apply_operation(const Operation& op, std::span<const double> angles, bool inverse = false);
  /// SWAP of global qubit `global` and local qubit `local_qubit`: the pairwise exchange of half of each slice.
  void swap_global_local(unsigned global, unsigned local_qubit);

  // --- reductions ---------------------------------------------------------------------------------------------------
  [[nodiscard]] double norm_squared() const;
  /// ⟨ψ|P|ψ⟩; an X or Y on a global qubit pairs each rank with the rank that differs in those bits.
  [[nodiscard]] double expectation(const PauliMasks& p) const;
  /// this += c · P|src⟩.
  void add_pauli_applied(const DistributedStateVector& src, const PauliMasks& p, cplx c);
  void set_zero() { local_.set_zero(); }
  /// ⟨this|other⟩.
  [[nodiscard]] cplx inner(const DistributedStateVector& other) const;
  /// ⟨bra| C(M) |ket⟩ as StateVector::matrix_element (bra and ket are restored on return).
  static cplx matrix_element(DistributedStateVector& bra, std::span<const unsigned> targets,
                             std::span<const cplx> matrix, std::span<const unsigned> controls,
                             DistributedStateVector& ket);
  /// `shots` global basis-state indices drawn from |ψ_i|², the same on every rank (every rank draws the same uniforms
  /// from `rng`; the rank that owns each one finds its index).
  [[nodiscard]] std::vector<index_t> sample(std::uint64_t shots, Rng& rng) const;

  /// Streams the whole state to rank 0 in rank order, chunk by chunk: `sink(first_global_index, amplitudes)` is called
  /// on rank 0 only. Memory on rank 0 stays one chunk above its own slice.
  void gather_to_root(const std::function<void(index_t, std::span<const value_type>)>& sink) const;

 private:
  // Calls f(chunk_base, partner_chunk) for every chunk of this rank's slice, where partner_chunk[o] is amplitude
  // (chunk_base ⊕ xh) + o of `src` on rank ⊕ xg (xh: the bits of the local x mask at or above the chunk size), which
  // is exchanged with that rank unless xg = 0.
  void visit_partner_chunks(const StateVector<T>& src, index_t xg, index_t xh,
                            const std::function<void(index_t, const value_type*)>& f) const;
  void exchange(value_type* send, value_type* recv, index_t count, int partner) const;

  unsigned n_;
  int rank_ = 0;
  int size_ = 1;
  StateVector<T> local_;
  index_t chunk_ = index_t{1} << 20;
  mutable std::uint64_t bytes_sent_ = 0;
};

extern template class DistributedStateVector<float>;
extern template class DistributedStateVector<double>;

}  // namespace qnn::mpi
