#ifndef NABLA_TENSOR_INTERNAL_SGEMM_H_
#define NABLA_TENSOR_INTERNAL_SGEMM_H_

// The raw row-major GEMMs of the library: Eigen's for any type (the
// reference backend, float64), and oneDNN's sgemm as every float32 GEMM on
// the oneDNN backend calls it (matmul and the kernels' raw GEMMs), with two
// rules added for products below kParallelGemmMacs multiply-adds:
//  - They run on the calling thread alone. oneDNN's sgemm splits even a
//    1x784x256 product over every thread, and the second thread's wake-up
//    then costs more than the product (on a busy machine, a batch-1 MLP took
//    148 us on 2 threads and 27 us on 1).
//  - A matrix-vector product (one row or one column of C) runs on Eigen,
//    which runs it as a GEMV; oneDNN 2.6's sgemm treats it as a GEMM. 1 thread: 1x784 ·
//    784x256 9.0 against 8.2 us, 1x256 · 256x10 0.57 against 0.30 us,
//    64x1024 · 1024x1 2.2 against 1.7 us; with 2+ rows and columns Eigen is
//    2-4x slower. The batch-1 MLP: 10.5-11.0 against 8.6-9.2 us.
// And one rule for any size: A (16-100 rows) times B as stored, with B's
// rows a multiple of 4 KB apart, runs as a sum of products over slices of
// k. oneDNN 2.6's sgemm is slow on such a B, likely from cache-set
// aliasing: cnn_train's 64x3136 · 3136x1024 takes 3.30 ms on 1 thread
// where 3136x1000 takes 2.51. Slices of 512 run it 1.29x faster on 1
// thread and 1.30x on 2; 1024 or 2048 columns and 1024-3136 deep gain
// 1.2-1.3x alike, 16 rows 1.10x, 96 rows 1.31x; 1-8 and 112+ rows gain
// nothing, nor do B transposed or other row lengths.

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <Eigen/Core>

#include <algorithm>
#include <cstdint>
#include <optional>

namespace nabla::internal {

constexpr std::int64_t kParallelGemmMacs = std::int64_t{1} << 20;
constexpr std::int64_t kAliasedSliceDepth = 512;

// Runs the OpenMP regions started by this thread on one thread until it ends.
class SingleThreaded {
 public:
  SingleThreaded() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~SingleThreaded() { omp_set_num_threads(saved_); }
  SingleThreaded(const SingleThreaded&) = delete;
  SingleThreaded& operator=(const SingleThreaded&) = delete;

 private:
  int saved_;
};

// Row-major C[m, n] = alpha · op(A) op(B) + beta · C on Eigen, with the
// arguments of dnnl_sgemm (trans_a: op(A) is the transpose of a stored
// [k, m] matrix; likewise B). C is not read when beta is 0 (it may hold
// garbage, as BLAS allows). Eigen runs a product with one row or one column
// of C as a GEMV.
template <typename T>
void eigen_gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
                std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstMap = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
  using Map = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
  const ConstMap a_stored(a, trans_a ? k : m, trans_a ? m : k, Eigen::OuterStride<>(lda));
  const ConstMap b_stored(b, trans_b ? n : k, trans_b ? k : n, Eigen::OuterStride<>(ldb));
  Map c_map(c, m, n, Eigen::OuterStride<>(ldc));
  auto add_product = [&](const auto& product) {
    if (beta == T(0)) {
      c_map.noalias() = product;
    } else {
      if (beta != T(1)) c_map *= beta;
      c_map.noalias() += product;
    }
  };
  // Four spellings so that Eigen sees each transpose at compile time and
  // never copies an operand. Every caller passes alpha 1; Eigen's scaled
  // product made the batch-1 MLP 2% slower.
  auto run = [&](const auto& lhs, const auto& rhs) {
    if (alpha == T(1)) {
      add_product(lhs * rhs);
    } else {
      add_product(alpha * (lhs * rhs));
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
}

// Row-major C[m, n] = alpha · op(A) op(B) + beta · C, as dnnl_sgemm.
inline dnnl_status_t sgemm(char trans_a, char trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                           const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                           std::int64_t ldc) {
  std::optional<SingleThreaded> serial;
  if (m * n * k < kParallelGemmMacs) {
    if (m == 1 || n == 1) {
      eigen_gemm(trans_a == 'T', trans_b == 'T', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return dnnl_success;
    }
    serial.emplace();
  }
  const bool aliased_b = trans_a == 'N' && trans_b == 'N' && m >= 16 && m <= 100 && ldb % 1024 == 0 &&
                         k >= 2 * kAliasedSliceDepth;
  if (!aliased_b) return dnnl_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  for (std::int64_t k0 = 0; k0 < k; k0 += kAliasedSliceDepth) {
    const dnnl_status_t status = dnnl_sgemm('N', 'N', m, n, std::min(kAliasedSliceDepth, k - k0), alpha, a + k0, lda,
                                            b + k0 * ldb, ldb, k0 == 0 ? beta : 1.0f, c, ldc);
    if (status != dnnl_success) return status;
  }
  return dnnl_success;
}

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_SGEMM_H_
