#include "data/paths.h"

#include <cstdlib>
#include <filesystem>

#include "tensor/error.h"

namespace nabla::data {

std::string data_dir() {
  const char* dir = std::getenv("NABLA_DATA_DIR");
  return dir != nullptr && *dir != '\0' ? std::string(dir) : std::string("/var/lib/nabla/data");
}

std::string dataset_file(const std::string& relative_path) {
  const std::string path = data_dir() + "/" + relative_path;
  std::error_code error;
  NABLA_CHECK(std::filesystem::is_regular_file(path, error), "data: missing dataset file '", path,
              "'; fetch the datasets with `bash tools/fetch_data.sh` (or `bash tools/fetch_data.sh --data_dir DIR` "
              "with NABLA_DATA_DIR=DIR)");
  return path;
}

}  // namespace nabla::data
