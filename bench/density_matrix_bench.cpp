// Density-matrix kernels against the state-vector kernels on the same bytes. An n-qubit density matrix is a 2n-qubit
// vector (qnn/sim/density_matrix.hpp), so a 1-qubit gate on it (one pass of the 2-qubit superoperator U ⊗ conj(U) on
// ket qubit q and bra qubit q + n) and a 1-qubit channel (one pass of Σ K ⊗ conj(K)) should move the same bytes, at the
// same bandwidth, as a 1-qubit gate on a 2n-qubit state vector. Goal: ratio ≈ 1.
//
//   BM_DensityMatrix/<op>/<n>/<q>/<prec>/t<threads>   op = gate (RY) or channel (amplitude damping) on qubit q of an
//                                                     n-qubit ρ; q = 0, n/2, n − 1
//
// Each iteration times the density-matrix operation and, interleaved, an RY on qubit q of a 2n-qubit state vector
// (same memory footprint), so machine load hits both alike. Counters: ratio = median(density matrix) ÷
// median(state vector); bandwidth_fraction of each against the in-place bandwidth measured on the same buffer.
//   QNN_BENCH_DM_QUBITS=6,9,12   QNN_BENCH_THREADS=1   QNN_BENCH_MIN_TIME=0.1
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "qnn/core/parallel.hpp"
#include "qnn/exec/benchmark.hpp"
#include "qnn/noise/channel.hpp"
#include "qnn/sim/density_matrix.hpp"
#include "qnn/sim/state_vector.hpp"

namespace {

using namespace qnn;

const double kMinTime = [] {
  const char* v = std::getenv("QNN_BENCH_MIN_TIME");
  return v && *v ? std::stod(v) : 0.1;
}();

std::vector<unsigned> env_list(const char* name, std::vector<unsigned> fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  std::vector<unsigned> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(static_cast<unsigned>(std::stoul(item)));
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

template <Real T>
void bm_density_matrix(benchmark::State& st, bool channel, unsigned n, unsigned q, int threads) {
  set_num_threads(threads);
  DensityMatrix<T> rho(n);
  StateVector<T> psi(2 * n);
  // Spread amplitude everywhere (no zero-skipping shortcuts anywhere, and no denormals).
  const T a = static_cast<T>(1.0 / std::sqrt(static_cast<double>(psi.size())));
  for (index_t i = 0; i < psi.size(); ++i) psi[i] = rho.vectorised()[i] = complex<T>(a, 0);
  const double bw = measure_bandwidth<T>(reinterpret_cast<T*>(psi.data()), 2 * psi.size());
  const double c = std::cos(0.35), s = std::sin(0.35);
  const cplx ry[4] = {c, -s, s, c};
  const Channel damping = amplitude_damping(1e-3);
  const unsigned t[1] = {q};
  std::vector<double> dm_times, sv_times;
  for (auto _ : st) {
    auto t0 = std::chrono::steady_clock::now();
    if (channel) {
      rho.apply_superoperator(t, damping.superoperator());
    } else {
      rho.apply_matrix(t, ry);
    }
    benchmark::ClobberMemory();
    auto t1 = std::chrono::steady_clock::now();
    psi.apply_matrix(t, ry);
    benchmark::ClobberMemory();
    auto t2 = std::chrono::steady_clock::now();
    dm_times.push_back(std::chrono::duration<double>(t1 - t0).count());
    sv_times.push_back(std::chrono::duration<double>(t2 - t1).count());
    st.SetIterationTime(dm_times.back());
  }
  const double bytes = double(gate_bytes<T>(2 * n)), dm = median(dm_times), sv = median(sv_times);
  st.counters["ratio"] = dm / sv;
  st.counters["dm_bandwidth_fraction"] = bytes / dm / bw;
  st.counters["sv_bandwidth_fraction"] = bytes / sv / bw;
}

void register_all() {
  const std::vector<unsigned> sizes = env_list("QNN_BENCH_DM_QUBITS", {6, 9, 12});
  const std::vector<unsigned> threads = env_list("QNN_BENCH_THREADS", {1});
  for (unsigned n : sizes)
    for (unsigned th : threads)
      for (bool channel : {false, true})
        for (unsigned q : {0U, n / 2, n - 1}) {
          for (int prec = 0; prec < 2; ++prec) {
            const std::string name = std::string("BM_DensityMatrix/") + (channel ? "channel/" : "gate/") +
                                     std::to_string(n) + "/" + std::to_string(q) + (prec ? "/f32" : "/f64") + "/t" +
                                     std::to_string(th);
            auto* b = prec ? benchmark::RegisterBenchmark(name.c_str(),
                                                          [=](benchmark::State& st) {
                                                            bm_density_matrix<float>(st, channel, n, q, int(th));
                                                          })
                           : benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) {
                               bm_density_matrix<double>(st, channel, n, q, int(th));
                             });
            b->UseManualTime()->MinTime(kMinTime)->Unit(benchmark::kMicrosecond);
          }
        }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
