#ifndef NABLA_TENSOR_INTERNAL_SGEMM_H_
#define NABLA_TENSOR_INTERNAL_SGEMM_H_

// oneDNN's sgemm as every float32 GEMM of the library calls it (matmul and
// the kernels' raw GEMMs), with one rule added: below kParallelGemmMacs
// multiply-adds it runs on the calling thread alone. oneDNN's sgemm splits
// even a 1x784x256 product over every thread, and the second thread's
// wake-up then costs more than the product (on a busy machine, a batch-1
// MLP took 148 us on 2 threads and 27 us on 1).

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

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

// Row-major C[m, n] = alpha · op(A) op(B) + beta · C, as dnnl_sgemm.
inline dnnl_status_t sgemm(char trans_a, char trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                           const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                           std::int64_t ldc) {
  std::optional<SingleThreaded> serial;
  if (m * n * k < kParallelGemmMacs) serial.emplace();
  return dnnl_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_SGEMM_H_
