#include "qnn/qec/decoder.hpp"

#include <string>

#include "qnn/core/error.hpp"
#include "qnn/qec/lookup_decoder.hpp"
#include "qnn/qec/mwpm_decoder.hpp"
#include "qnn/qec/union_find_decoder.hpp"

namespace qnn::qec {

std::vector<std::string_view> decoder_names() { return {"lookup", "mwpm", "uf"}; }

std::unique_ptr<Decoder> make_decoder(std::string_view name, const DetectorErrorModel& dem) {
  if (name == "lookup") return std::make_unique<LookupDecoder>(dem);
  if (name == "mwpm") return std::make_unique<MwpmDecoder>(dem);
  if (name == "uf") return std::make_unique<UnionFindDecoder>(dem);
  std::string allowed;
  for (std::string_view n : decoder_names()) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
  throw ValueError("unknown decoder '" + std::string(name) + "', allowed: " + allowed);
}

}  // namespace qnn::qec
