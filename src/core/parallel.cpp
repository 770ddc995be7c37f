#include "qnn/core/parallel.hpp"

#include <omp.h>

#include <atomic>
#include <cstdlib>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {
int initial_threads() {
  if (const char* env = std::getenv("QNN_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return std::max(1, omp_get_max_threads());
}
std::atomic<int>& thread_setting() {
  static std::atomic<int> n{initial_threads()};
  return n;
}
}  // namespace

int num_threads() { return thread_setting().load(std::memory_order_relaxed); }

void set_num_threads(int n) {
  if (n < 1) throw ValueError("thread count must be at least 1, got " + std::to_string(n));
  thread_setting().store(n, std::memory_order_relaxed);
}

}  // namespace qnn
