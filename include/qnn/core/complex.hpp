#pragma once
#include <complex>
#include <concepts>

namespace qnn {

/// Precision of a simulator: `float` or `double` (a template parameter everywhere, never a build macro).
template <class T>
concept Real = std::same_as<T, float> || std::same_as<T, double>;

template <Real T>
using complex = std::complex<T>;

using cplx = std::complex<double>;

}  // namespace qnn
