#include "qnn/ml/quantum_kernel.hpp"

#include <algorithm>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/memory.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/batched.hpp"
#include "qnn/sim/batched_state.hpp"

namespace qnn {

namespace {

// Batches large enough to pay a gate's dispatch once for many samples, small enough (2^22 amplitudes, 64 MiB of
// double planes) to stay in memory at any qubit count.
std::size_t chunk_size(unsigned qubits) {
  const std::size_t cap = qubits >= 22 ? 1 : (std::size_t{1} << 22) >> qubits;
  return std::max<std::size_t>(1, std::min<std::size_t>(256, cap));
}

// |⟨a|b⟩|² over `dim` amplitudes, accumulated as two real sums so the loop vectorises.
double fidelity(const cplx* a, const cplx* b, std::size_t dim) {
  double re = 0, im = 0;
  for (std::size_t i = 0; i < dim; ++i) {
    const double ar = a[i].real(), ai = a[i].imag(), br = b[i].real(), bi = b[i].imag();
    re += ar * br + ai * bi;
    im += ar * bi - ai * br;
  }
  return re * re + im * im;
}

}  // namespace

FidelityKernel::FidelityKernel(Encoding encoding) : encoding_(std::move(encoding)) {
  if (encoding_.has_circuit() && encoding_.circuit().num_theta() > 0) {
    throw ValueError("a fidelity kernel's feature map must read inputs only, but it reads " +
                     std::to_string(encoding_.circuit().num_theta()) + " trainable weights");
  }
}

double FidelityKernel::operator()(std::span<const double> x, std::span<const double> y) const {
  const StateVector<double> a = encoding_.state(x), b = encoding_.state(y);
  const cplx overlap = b.inner(a);
  return std::norm(overlap);
}

std::vector<cplx> FidelityKernel::states(const std::vector<std::vector<double>>& samples) const {
  const unsigned n = encoding_.num_qubits();
  const std::size_t dim = std::size_t{1} << n, count = samples.size(), features = encoding_.num_features();
  for (std::size_t s = 0; s < count; ++s) {
    if (samples[s].size() != features) {
      throw ValueError("sample " + std::to_string(s) + " has " + std::to_string(samples[s].size()) +
                       " features, the " + encoding_.name() + " encoding reads " + std::to_string(features));
    }
  }
  check_allocation(std::uint64_t(count) * dim * sizeof(cplx), "the states of " + std::to_string(count) + " samples");
  std::vector<cplx> out(count * dim);
  if (!encoding_.has_circuit()) {
    for (std::size_t s = 0; s < count; ++s) {
      const std::vector<cplx> a = amplitude_encode(samples[s], n);
      std::copy(a.begin(), a.end(), out.begin() + std::ptrdiff_t(s * dim));
    }
    return out;
  }
  const Circuit& c = encoding_.circuit();
  const std::size_t chunk = chunk_size(n);
  std::vector<double> x;
  for (std::size_t first = 0; first < count; first += chunk) {
    const auto b = static_cast<unsigned>(std::min(chunk, count - first));
    x.assign(std::size_t(b) * features, 0.0);
    for (unsigned k = 0; k < b; ++k) std::copy(samples[first + k].begin(), samples[first + k].end(), x.begin() + std::ptrdiff_t(k * features));
    BatchedStateVector<double> psi(n, b);
    run_batched(c, psi, {}, BatchInputs{x, features});
    for (unsigned k = 0; k < b; ++k) {
      cplx* dst = out.data() + (first + k) * dim;
      for (std::size_t i = 0; i < dim; ++i) dst[i] = psi.amplitude(i, k);
    }
  }
  return out;
}

KernelMatrix FidelityKernel::matrix(const std::vector<std::vector<double>>& samples) const {
  const std::vector<cplx> psi = states(samples);
  const std::size_t n = samples.size(), dim = std::size_t{1} << encoding_.num_qubits();
  KernelMatrix k{n, n, std::vector<double>(n * n)};
  parallel_for(
      n,
      [&](std::uint64_t i) {
        for (std::size_t j = 0; j <= i; ++j) k.values[i * n + j] = fidelity(&psi[j * dim], &psi[i * dim], dim);
      },
      n * dim / 2);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) k.values[i * n + j] = k.values[j * n + i];
  return k;
}

KernelMatrix FidelityKernel::matrix(const std::vector<std::vector<double>>& a,
                                    const std::vector<std::vector<double>>& b) const {
  const std::vector<cplx> pa = states(a), pb = states(b);
  const std::size_t dim = std::size_t{1} << encoding_.num_qubits();
  KernelMatrix k{a.size(), b.size(), std::vector<double>(a.size() * b.size())};
  parallel_for(
      a.size(),
      [&](std::uint64_t i) {
        for (std::size_t j = 0; j < b.size(); ++j) k.values[i * b.size() + j] = fidelity(&pb[j * dim], &pa[i * dim], dim);
      },
      b.size() * dim);
  return k;
}

}  // namespace qnn
