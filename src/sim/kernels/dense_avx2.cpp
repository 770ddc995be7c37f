// The kernels for one instruction set (compiled with its own -m flags); see isa_entry_points.hpp and dense_impl.hpp.
#define QNN_KERNEL_NS avx2
#define QNN_VECTOR_BYTES 32
#include "isa_entry_points.hpp"
