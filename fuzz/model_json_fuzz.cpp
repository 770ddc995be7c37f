// libFuzzer target for the model JSON reader (model.json) and the checkpoint reader that embeds it: no input may
// crash, hang, leak or trip a sanitizer; malformed input must end in a qnn::Error. A model that loads must write and
// load back (what `qnn train --resume` and `qnn eval` rely on).
#include <cstddef>
#include <cstdint>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/io/checkpoint.hpp"
#include "qnn/io/model_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const qnn::SavedModel m = qnn::model_from_json(text, "<fuzz>");
    (void)qnn::model_from_json(qnn::model_to_json(m), "<fuzz-roundtrip>");
  } catch (const qnn::Error&) {
    // a clear error is the right answer to a malformed file
  }
  try {
    (void)qnn::checkpoint_from_json(text, "<fuzz>");
  } catch (const qnn::Error&) {
  }
  return 0;
}
