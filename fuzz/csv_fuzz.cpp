// libFuzzer target for the CSV data-set reader: no input may crash, hang, leak or trip a sanitizer; malformed input
// must end in a qnn::Error. What parses must be a consistent data set (every row as wide as the feature list, every
// label a valid class index), since the trainer indexes with those values without checking again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "qnn/core/error.hpp"
#include "qnn/io/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const qnn::Dataset d = qnn::parse_dataset_csv(text, "<fuzz>");
    for (std::size_t i = 0; i < d.num_samples(); ++i) {
      if (d.features[i].size() != d.features[0].size() || d.labels.size() != d.num_samples()) std::abort();
      if (d.labels[i] < 0 || static_cast<std::size_t>(d.labels[i]) >= d.num_classes()) std::abort();
    }
  } catch (const qnn::Error&) {
    // a clear error is the right answer to a malformed file
  }
  return 0;
}
