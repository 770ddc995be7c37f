// libFuzzer target for the OpenQASM 2.0/3 reader (and, for what it accepts, the writers and a re-read): no input may
// crash, hang, leak or trip a sanitizer; malformed input must end in a qnn::Error. `make fuzz` runs it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "qnn/core/error.hpp"
#include "qnn/io/qasm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  qnn::qasm::Program program;
  try {
    program = qnn::qasm::parse(text, "<fuzz>");
  } catch (const qnn::Error&) {
    return 0;  // a clear error is the right answer to a malformed file
  }
  // What parses must also write and read back (OpenQASM 3 keeps unbound inputs as `input` parameters); only small
  // programs, so one input never runs for seconds.
  if (program.body.size() > 2000) return 0;
  try {
    (void)qnn::qasm::parse(qnn::qasm::write_qasm3(program), "<fuzz-roundtrip>");
  } catch (const qnn::Error&) {
    // e.g. a condition the writer cannot express: a clear error, not a crash
  }
  return 0;
}
