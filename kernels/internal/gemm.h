#ifndef NABLA_KERNELS_INTERNAL_GEMM_H_
#define NABLA_KERNELS_INTERNAL_GEMM_H_

// Raw row-major GEMM on pointers, for kernels that call it many times on
// pieces of larger buffers (nabla::matmul would allocate on every call):
//
//   C[m, n] (+)= op(A) · op(B),  op(A) [m, k], op(B) [k, n]
//
// A is read as [m, k] with row stride lda, or, when trans_a, as the transpose
// of a [k, m] matrix with row stride lda; likewise B. With `accumulate` the
// product is added to C, otherwise C is overwritten (and may hold garbage).
// float32 runs on oneDNN's sgemm (the reference backend: Eigen), float64 on
// Eigen; both run on one thread
// inside an OpenMP parallel region and on all threads outside one.
// Returns false only if oneDNN reports an error; never throws, so it may be
// called inside a parallel region.

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "tensor/backend.h"
#include "tensor/internal/sgemm.h"

namespace nabla::kernels::internal {

template <typename T>
bool gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, std::int64_t lda,
          const T* b, std::int64_t ldb, bool accumulate, T* c, std::int64_t ldc) {
  if (m == 0 || n == 0) return true;
  if (k == 0) {
    if (!accumulate) {
      for (std::int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
    }
    return true;
  }
  if constexpr (std::is_same_v<T, float>) {
    if (current_backend() == Backend::kOneDnn) {
      return ::nabla::internal::sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb,
                                      accumulate ? 1.0f : 0.0f, c, ldc) == dnnl_success;
    }
  }
  ::nabla::internal::eigen_gemm(trans_a, trans_b, m, n, k, T(1), a, lda, b, ldb, accumulate ? T(1) : T(0), c, ldc);
  return true;
}

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_GEMM_H_
