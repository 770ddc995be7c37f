// qnn's exceptions as Python exceptions, with the messages the CLI prints after `qnn: error: `:
//   qnn::ValueError → ValueError, qnn::ResourceError → MemoryError, qnn::ParseError → qnn.ParseError (a ValueError,
//   also named qnn.QasmError, with .file, .line, .column), qnn::IoError → qnn.IoError (an OSError), any other
//   qnn::Error → RuntimeError. std::bad_alloc is already MemoryError in pybind11.
#include "module.hpp"
#include "qnn/core/error.hpp"

namespace qnn::python {

namespace {
// Created once and never destroyed: the interpreter owns the classes, and a static py::object would be released after
// the interpreter is gone. (The translator is a plain function pointer, so they live at file scope.)
py::exception<ParseError>* parse_error = nullptr;
py::exception<IoError>* io_error = nullptr;
}  // namespace

void bind_errors(py::module_& m) {
  parse_error = new py::exception<ParseError>(m, "ParseError", PyExc_ValueError);
  io_error = new py::exception<IoError>(m, "IoError", PyExc_OSError);
  parse_error->doc() = "A malformed input (OpenQASM, an observable); str() is `file:line:column: what`.";
  io_error->doc() = "A file that cannot be read or written.";
  m.attr("QasmError") = *parse_error;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ParseError& e) {
      py::object instance = py::handle(parse_error->ptr())(e.what());
      instance.attr("file") = e.file();
      instance.attr("line") = e.line();
      instance.attr("column") = e.column();
      PyErr_SetObject(parse_error->ptr(), instance.ptr());
    } catch (const IoError& e) {
      PyErr_SetString(io_error->ptr(), e.what());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const ResourceError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace qnn::python
