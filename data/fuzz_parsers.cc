// libFuzzer target for the IDX and CSV parsers: tools/fuzz_data.sh builds it
// with clang -fsanitize=fuzzer,address,undefined and runs it for a bounded
// time. The first input byte picks the parser, the rest is the file. Only
// nabla::Error may escape a parser; anything else (a crash, a sanitizer
// report, another exception) is a bug.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "data/csv.h"
#include "data/idx.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 5) {
      case 0:
        nabla::data::decode_idx_images(bytes, "fuzz");
        break;
      case 1:
        nabla::data::decode_idx_labels(bytes, "fuzz");
        break;
      case 2:
        nabla::data::parse_csv(bytes, "fuzz");
        break;
      case 3:
        nabla::data::parse_csv(bytes, "fuzz", nabla::data::CsvOptions().header(false).delimiter(';').label_index(0));
        break;
      default:
        nabla::data::parse_sklearn_csv(bytes, "fuzz");
        break;
    }
  } catch (const nabla::Error&) {
  }
  return 0;
}
