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

#include <Eigen/Core>
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
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstMap = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
  using Map = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
  const ConstMap a_stored(a, trans_a ? k : m, trans_a ? m : k, Eigen::OuterStride<>(lda));
  const ConstMap b_stored(b, trans_b ? n : k, trans_b ? k : n, Eigen::OuterStride<>(ldb));
  Map c_map(c, m, n, Eigen::OuterStride<>(ldc));
  // Four spellings so that Eigen sees each transpose at compile time and
  // never copies an operand.
  auto run = [&](const auto& lhs, const auto& rhs) {
    if (accumulate) {
      c_map.noalias() += lhs * rhs;
    } else {
      c_map.noalias() = lhs * rhs;
    }
  };
  if (trans_a && trans_b) {
    run(a_stored.transpose(), b_stored.transpose());
  } else if (trans_a) {
    run(a_stored.transpose(), b_stored);
  } else if (trans_b) {
    run(a_stored, b_stored.transpose());
  } else {
    run(a_stored, b_stored);
  }
  return true;
}

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_GEMM_H_
