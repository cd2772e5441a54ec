#ifndef NABLA_KERNELS_INTERNAL_CHECKS_H_
#define NABLA_KERNELS_INTERNAL_CHECKS_H_

// Argument checks the kernels share.

#include <string>

#include "tensor/ops.h"

namespace nabla::kernels::internal {

// Throws naming `op` and the argument `name` unless `t` is a defined float32
// or float64 tensor.
inline void check_floating(const std::string& op, const char* name, const Tensor& t) {
  NABLA_CHECK(t.defined(), op, ": ", name, " is undefined (default-constructed)");
  NABLA_CHECK(is_floating(t.dtype()), op, ": ", name, " must be float32 or float64, got ", t.dtype(), " ", t.shape());
}

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_CHECKS_H_
