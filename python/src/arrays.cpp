#include "arrays.hpp"

#include <cmath>

namespace qnn::python {

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) {
    if (d > 0) s += ", ";
    s += std::to_string(a.shape(d));
  }
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// Any array-like as an ndarray (a list becomes one); a ragged or unconvertible object is a TypeError.
py::array any_array(const py::handle& obj, const char* name, const char* what) {
  if (obj.is_none()) throw py::type_error(std::string(name) + " must be " + what + ", got None");
  py::array a = py::array::ensure(obj);
  if (!a) throw py::type_error(std::string(name) + " must be " + what + ", got " + std::string(py::str(py::type::of(obj))));
  return a;
}

void require_ndim(const py::array& a, const char* name, int ndim) {
  if (a.ndim() != ndim) {
    throw py::value_error(std::string(name) + " must be a " + std::to_string(ndim) + "-D array, got shape " +
                          shape_text(a));
  }
}

std::string dtype_text(const py::array& a) { return std::string(py::str(a.dtype())); }

}  // namespace

RealArray as_real_array(const py::handle& obj, const char* name, int ndim, bool allow_none) {
  if (obj.is_none() && allow_none) return RealArray(std::vector<py::ssize_t>(static_cast<std::size_t>(ndim), 0));
  py::array a = any_array(obj, name, "an array of real numbers");
  const char kind = a.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u') {
    throw py::type_error(std::string(name) + " must hold real numbers, got dtype " + dtype_text(a));
  }
  require_ndim(a, name, ndim);
  return RealArray::ensure(a);  // the same buffer when it already is C-contiguous float64
}

ComplexArray as_complex_array(const py::handle& obj, const char* name, int ndim) {
  py::array a = any_array(obj, name, "an array of complex numbers");
  const char kind = a.dtype().kind();
  if (kind != 'c' && kind != 'f' && kind != 'i' && kind != 'u') {
    throw py::type_error(std::string(name) + " must hold complex numbers, got dtype " + dtype_text(a));
  }
  require_ndim(a, name, ndim);
  return ComplexArray::ensure(a);
}

std::vector<std::int64_t> as_int_vector(const py::handle& obj, const char* name) {
  py::array a = any_array(obj, name, "an array of integers");
  require_ndim(a, name, 1);
  const char kind = a.dtype().kind();
  if (kind == 'i' || kind == 'u') {
    auto ints = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
    return {ints.data(), ints.data() + ints.size()};
  }
  if (kind == 'f') {
    const RealArray reals = RealArray::ensure(a);
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(reals.size()));
    for (const double v : span_of(reals)) {
      if (!(std::isfinite(v) && v == std::floor(v) && std::abs(v) < 9.0e18)) {
        throw py::type_error(std::string(name) + " must hold integers, got " + std::to_string(v));
      }
      out.push_back(static_cast<std::int64_t>(v));
    }
    return out;
  }
  throw py::type_error(std::string(name) + " must hold integers, got dtype " + dtype_text(a));
}

std::vector<std::vector<double>> rows_of(const RealArray& a) {
  const auto rows = static_cast<std::size_t>(a.shape(0));
  const auto cols = static_cast<std::size_t>(a.shape(1));
  std::vector<std::vector<double>> out(rows);
  for (std::size_t r = 0; r < rows; ++r) out[r].assign(a.data() + r * cols, a.data() + (r + 1) * cols);
  return out;
}

void require_finite(std::span<const double> values, const char* name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw py::value_error(std::string(name) + " must be finite, got " + std::to_string(values[i]) + " at index " +
                            std::to_string(i));
    }
  }
}

unsigned non_negative(std::int64_t v, const char* name, std::uint64_t max) {
  if (v < 0) throw py::value_error(std::string(name) + " must be >= 0, got " + std::to_string(v));
  if (static_cast<std::uint64_t>(v) > max) {
    throw py::value_error(std::string(name) + " must be <= " + std::to_string(max) + ", got " + std::to_string(v));
  }
  return static_cast<unsigned>(v);
}

}  // namespace qnn::python
