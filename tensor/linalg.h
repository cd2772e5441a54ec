#ifndef NABLA_TENSOR_LINALG_H_
#define NABLA_TENSOR_LINALG_H_

/// Matrix products.

#include "tensor/tensor.h"

namespace nabla {

/// NumPy's matmul. [M, K] x [K, N] -> [M, N]; leading batch dimensions
/// broadcast ([B, M, K] x [K, N] -> [B, M, N], [2, 1, M, K] x [3, K, N] ->
/// [2, 3, M, N]); a 1-D operand is a row (left) or column (right) vector
/// whose dimension is removed from the result. Transposed views are used in
/// place, without a copy.
///
/// float32 runs on oneDNN's sgemm; float64 and int64 on Eigen.
/// Throws nabla::Error naming both shapes when inner dimensions differ, batch
/// dimensions do not broadcast, an operand is 0-d, or dtypes differ.
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace nabla

#endif  // NABLA_TENSOR_LINALG_H_
