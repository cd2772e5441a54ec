#include "tensor/dtype.h"

namespace nabla {

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kFloat64:
      return "float64";
    case DType::kInt64:
      return "int64";
  }
  return "invalid";
}

std::size_t dtype_size(DType dtype) {
  return dispatch(dtype, [](auto tag) { return sizeof(tag); });
}

std::ostream& operator<<(std::ostream& out, DType dtype) { return out << dtype_name(dtype); }

}  // namespace nabla
