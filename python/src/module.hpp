#pragma once
// The pieces of the `qnn._qnn` extension, one per layer of the library; module.cpp calls them in layer order, so a
// binding may use the Python types registered by the ones before it.
#include <pybind11/pybind11.h>

namespace qnn::python {

namespace py = pybind11;

void bind_errors(py::module_& m);
void bind_sim(py::module_& m);
void bind_circuit(py::module_& m);
void bind_pauli(py::module_& m);
void bind_exec(py::module_& m);
void bind_diff(py::module_& m);
void bind_io(py::module_& m);
void bind_dataset(py::module_& m);
void bind_classifier(py::module_& m);
void bind_kernel(py::module_& m);
void bind_noise(py::module_& m);
void bind_qec(py::module_& m);

}  // namespace qnn::python
