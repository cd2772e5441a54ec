#ifndef NABLA_TENSOR_INTERNAL_SGEMM_H_
#define NABLA_TENSOR_INTERNAL_SGEMM_H_

// oneDNN's sgemm as every float32 GEMM of the library calls it (matmul and
// the kernels' raw GEMMs), with two rules added for products below
// kParallelGemmMacs multiply-adds:
//  - They run on the calling thread alone. oneDNN's sgemm splits even a
//    1x784x256 product over every thread, and the second thread's wake-up
//    then costs more than the product (on a busy machine, a batch-1 MLP took
//    148 us on 2 threads and 27 us on 1).
//  - A matrix-vector product (one row or one column of C) runs on Eigen's
//    GEMV, which oneDNN 2.6's sgemm treats as a GEMM. 1 thread: 1x784 ·
//    784x256 9.0 against 8.2 us, 1x256 · 256x10 0.57 against 0.30 us,
//    64x1024 · 1024x1 2.2 against 1.7 us; with 2+ rows and columns Eigen is
//    2-4x slower. The batch-1 MLP: 10.5-11.0 against 8.6-9.2 us.

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <Eigen/Core>

#include <cstdint>
#include <optional>

namespace nabla::internal {

constexpr std::int64_t kParallelGemmMacs = std::int64_t{1} << 20;

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

namespace gemv_detail {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Matrix = Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>;

// The matrix of an sgemm operand as stored: [rows, cols] with row stride
// ld, or [cols, rows] when transposed.
inline Matrix stored(char trans, std::int64_t rows, std::int64_t cols, const float* data, std::int64_t ld) {
  return trans == 'T' ? Matrix(data, cols, rows, Eigen::OuterStride<>(ld))
                      : Matrix(data, rows, cols, Eigen::OuterStride<>(ld));
}

// out = alpha · product + beta · out; out is not read when beta is 0 (it
// may hold garbage, as BLAS allows).
template <typename Out, typename Product>
void assign(Out& out, const Product& product, float alpha, float beta) {
  if (beta == 0) {
    out.noalias() = alpha * product;
  } else {
    out = beta * out + alpha * product;
  }
}

// sgemm's product on Eigen's GEMV when it is one with contiguous vectors
// (a row of op(A) and of C, or a column of op(B) and of C); false if not.
inline bool gemv(char trans_a, char trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                 const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                 std::int64_t ldc) {
  if (m == 1 && (trans_a == 'N' || lda == 1)) {
    const Eigen::Map<const Eigen::RowVectorXf> x(a, k);
    Eigen::Map<Eigen::RowVectorXf> y(c, n);
    const Matrix w = stored(trans_b, k, n, b, ldb);
    if (trans_b == 'T') {
      assign(y, x * w.transpose(), alpha, beta);
    } else {
      assign(y, x * w, alpha, beta);
    }
    return true;
  }
  if (n == 1 && (trans_b == 'T' || ldb == 1) && ldc == 1) {
    const Eigen::Map<const Eigen::VectorXf> x(b, k);
    Eigen::Map<Eigen::VectorXf> y(c, m);
    const Matrix w = stored(trans_a, m, k, a, lda);
    if (trans_a == 'T') {
      assign(y, w.transpose() * x, alpha, beta);
    } else {
      assign(y, w * x, alpha, beta);
    }
    return true;
  }
  return false;
}

}  // namespace gemv_detail

// Row-major C[m, n] = alpha · op(A) op(B) + beta · C, as dnnl_sgemm.
inline dnnl_status_t sgemm(char trans_a, char trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                           const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                           std::int64_t ldc) {
  std::optional<SingleThreaded> serial;
  if (m * n * k < kParallelGemmMacs) {
    if (gemv_detail::gemv(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return dnnl_success;
    serial.emplace();
  }
  return dnnl_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_SGEMM_H_
