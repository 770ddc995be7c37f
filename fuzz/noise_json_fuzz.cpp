// libFuzzer target for the noise-model readers: the JSON file form and the compact command-line spec
// (`depolarizing:0.01+readout:0.02`). No input may crash, hang, leak or trip a sanitizer; malformed input must end in
// a qnn::Error. The first byte picks the reader so one corpus serves both.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "qnn/core/error.hpp"
#include "qnn/noise/noise_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    if (!text.empty() && text.front() == '!') {
      (void)qnn::parse_noise_spec(text.substr(1));
    } else {
      (void)qnn::parse_noise_json(text, "<fuzz>");
    }
  } catch (const qnn::Error&) {
    // a clear error is the right answer to a malformed model
  }
  return 0;
}
