// libFuzzer entry point for the safetensors parser: any input must parse or
// throw nabla::Error, never crash, leak or hit undefined behaviour; a
// parsed file must serialise back to bytes that parse to the same tensors.
// Build and run: bash checkpoint/fuzz_safetensors.sh [SECONDS].

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "checkpoint/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nabla::checkpoint;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  TensorFile file;
  try {
    file = parse_safetensors(bytes, "fuzz");
  } catch (const nabla::Error&) {
    return 0;
  }
  // What parsed must round-trip.
  const TensorFile again = parse_safetensors(serialize_safetensors(file.tensors, file.metadata), "round trip");
  if (again.tensors.size() != file.tensors.size() || again.metadata != file.metadata) std::abort();
  for (std::size_t i = 0; i < file.tensors.size(); ++i) {
    const nabla::Tensor& a = file.tensors[i].second;
    const nabla::Tensor& b = again.tensors[i].second;
    if (again.tensors[i].first != file.tensors[i].first || a.dtype() != b.dtype() || a.shape() != b.shape()) {
      std::abort();
    }
  }
  return 0;
}
