#pragma once
// NumPy at the boundary. Inputs are checked here (dtype, dimensions, sizes, signs) so that a bad argument from Python
// raises TypeError or ValueError, never reaches the library unchecked and never crashes the interpreter. A float64
// C-contiguous array is used in place; anything else that holds real numbers (a list, an int or float32 array) is
// converted once. Outputs move their std::vector into the array they return (no copy).
#include <complex>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace qnn::python {

namespace py = pybind11;

using RealArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using ComplexArray = py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast>;

/// `obj` (an array or a nested sequence of real numbers) as float64 with `ndim` dimensions; None gives an empty
/// array when `allow_none`. TypeError for complex, boolean, object or text data; ValueError for another ndim.
RealArray as_real_array(const py::handle& obj, const char* name, int ndim, bool allow_none = false);

/// The same for complex data (real data is accepted and given a zero imaginary part).
ComplexArray as_complex_array(const py::handle& obj, const char* name, int ndim);

/// A 1-D array of integers (labels, qubits). TypeError for a float array with fractional values or non-numbers.
std::vector<std::int64_t> as_int_vector(const py::handle& obj, const char* name);

/// The array's values (valid while the array lives).
inline std::span<const double> span_of(const RealArray& a) {
  return {a.data(), static_cast<std::size_t>(a.size())};
}

/// Rows of a 2-D array as vectors (the layout qnn's data sets keep).
std::vector<std::vector<double>> rows_of(const RealArray& a);

/// ValueError naming `name` unless every value is finite.
void require_finite(std::span<const double> values, const char* name);

/// v ≥ 0 as unsigned (ValueError "name must be ≥ 0, got v" otherwise, or when it exceeds `max`).
unsigned non_negative(std::int64_t v, const char* name, std::uint64_t max = 0xFFFFFFFFULL);
/// The same for 64-bit counts (shots, seeds are taken as Python ints ≥ 0).
inline std::uint64_t non_negative64(std::int64_t v, const char* name) {
  if (v < 0) throw py::value_error(std::string(name) + " must be >= 0, got " + std::to_string(v));
  return static_cast<std::uint64_t>(v);
}

/// A NumPy array that owns `v` (moved into it, not copied); `shape` defaults to 1-D.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v, std::vector<py::ssize_t> shape = {}) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  if (shape.empty()) shape.push_back(static_cast<py::ssize_t>(owned->size()));
  return py::array_t<T>(shape, owned->data(), owner);
}

}  // namespace qnn::python
