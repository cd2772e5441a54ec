#include "tensor/linalg.h"

#include <Eigen/Core>
#include <algorithm>
#include <oneapi/dnnl/dnnl.h>

#include <optional>

#include "tensor/backend.h"
#include "tensor/internal/int64.h"
#include "tensor/internal/sgemm.h"
#include "tensor/internal/transpose.h"

namespace nabla {
namespace {

// How BLAS reads a strided matrix: as stored (row-major with leading
// dimension `ld`) or transposed (column-major). Size-1 dimensions may carry
// any stride, so they are ignored.
struct GemmOperand {
  bool transposed;
  std::int64_t ld;
};

std::optional<GemmOperand> gemm_operand(std::int64_t rows, std::int64_t cols, std::int64_t row_stride,
                                        std::int64_t col_stride) {
  if ((cols == 1 || col_stride == 1) && (rows == 1 || row_stride >= cols)) {
    return GemmOperand{false, rows == 1 ? std::max<std::int64_t>(cols, 1) : row_stride};
  }
  if ((rows == 1 || row_stride == 1) && (cols == 1 || col_stride >= rows)) {
    return GemmOperand{true, cols == 1 ? std::max<std::int64_t>(rows, 1) : col_stride};
  }
  return std::nullopt;
}

// c[M, N] (dense) = a[M, K] b[K, N], a and b 2-D views of any strides: the
// reference backend, and the float64 and int64 paths of both (int64 in
// uint64, so that it wraps around).
template <typename T>
void eigen_gemm(const Tensor& a, const Tensor& b, T* c) {
  const std::int64_t m = a.dim(0);
  const std::int64_t k = a.dim(1);
  const std::int64_t n = b.dim(1);
  using Scalar = internal::WrappingType<T>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Strided = Eigen::Map<const Matrix, 0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
  const Strided lhs(reinterpret_cast<const Scalar*>(a.data<T>()), m, k,
                    Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(a.strides()[0], a.strides()[1]));
  const Strided rhs(reinterpret_cast<const Scalar*>(b.data<T>()), k, n,
                    Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(b.strides()[0], b.strides()[1]));
  Eigen::Map<Matrix>(reinterpret_cast<Scalar*>(c), m, n).noalias() = lhs * rhs;
}

// c[m, n] = a[m, k] · bᵀ for a dense `a` and b stored [n, k], computed as
// cᵀ = b · aᵀ with a and the product transposed by copy. oneDNN 2.6's sgemm
// is slow on A·Bᵀ with few rows in A and a long inner dimension: 159 vs 216
// GFLOP/s for cnn_train's input gradient of its 3136 -> 1024 dense layer
// (64x1024 · (3136x1024)ᵀ) on 1 thread, and it leaves the second thread
// idle (137 vs 410 GFLOP/s). Measured over m 32-256 and n, k 256-3136, the
// copies pay off from k = 1024 with up to 128 rows. A single row needs no
// copies: internal::sgemm runs it as a GEMV.
dnnl_status_t sgemm_by_transposed_product(std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                                          const float* b, std::int64_t ldb, float* c) {
  Tensor a_t = empty({k, m}, kFloat32);
  internal::transpose_matrices(a, a_t.data<float>(), 1, m, k);
  Tensor c_t = empty({n, m}, kFloat32);
  const dnnl_status_t status = internal::sgemm('N', 'N', n, m, k, 1.0f, b, ldb, a_t.data<float>(), m, 0.0f,
                                               c_t.data<float>(), m);
  internal::transpose_matrices(c_t.data<float>(), c, 1, n, m);
  return status;
}

// The same on the current backend: float32 runs oneDNN's sgemm.
template <typename T>
void gemm(const Tensor& a, const Tensor& b, T* c) {
  const std::int64_t m = a.dim(0);
  const std::int64_t k = a.dim(1);
  const std::int64_t n = b.dim(1);
  if constexpr (std::is_same_v<T, float>) {
    if (current_backend() == Backend::kReference) return eigen_gemm(a, b, c);
    std::optional<GemmOperand> lhs = gemm_operand(m, k, a.strides()[0], a.strides()[1]);
    std::optional<GemmOperand> rhs = gemm_operand(k, n, b.strides()[0], b.strides()[1]);
    const Tensor dense_a = lhs ? a : a.contiguous();
    const Tensor dense_b = rhs ? b : b.contiguous();
    if (!lhs) lhs = GemmOperand{false, std::max<std::int64_t>(k, 1)};
    if (!rhs) rhs = GemmOperand{false, std::max<std::int64_t>(n, 1)};
    const bool short_dense_lhs = !lhs->transposed && lhs->ld == k && m > 1 && m <= 128;
    const dnnl_status_t status =
        short_dense_lhs && rhs->transposed && k >= 1024
            ? sgemm_by_transposed_product(m, n, k, dense_a.data<float>(), dense_b.data<float>(), rhs->ld, c)
            : internal::sgemm(lhs->transposed ? 'T' : 'N', rhs->transposed ? 'T' : 'N', m, n, k, 1.0f,
                              dense_a.data<float>(), lhs->ld, dense_b.data<float>(), rhs->ld, 0.0f, c,
                              std::max<std::int64_t>(n, 1));
    NABLA_CHECK(status == dnnl_success, "matmul: oneDNN sgemm failed with status ", static_cast<int>(status),
                " for [", m, ", ", k, "] x [", k, ", ", n, "]");
  } else {
    eigen_gemm(a, b, c);
  }
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.defined() && b.defined(), "matmul: an operand is undefined (default-constructed)");
  NABLA_CHECK(a.rank() >= 1 && b.rank() >= 1, "matmul: operands need at least one dimension, got ", a.shape(),
              " and ", b.shape());
  NABLA_CHECK(a.dtype() == b.dtype(), "matmul: dtypes differ: ", a.dtype(), " ", a.shape(), " vs ", b.dtype(), " ",
              b.shape());
  // A vector becomes a one-row (left) or one-column (right) matrix.
  const Tensor lhs = a.rank() == 1 ? a.unsqueeze(0) : a;
  const Tensor rhs = b.rank() == 1 ? b.unsqueeze(1) : b;
  const std::int64_t m = lhs.dim(-2);
  const std::int64_t k = lhs.dim(-1);
  const std::int64_t n = rhs.dim(-1);
  NABLA_CHECK(rhs.dim(-2) == k, "matmul: inner dimensions differ: a ", a.shape(), " vs b ", b.shape());
  const Shape lhs_batch(lhs.shape().begin(), lhs.shape().end() - 2);
  const Shape rhs_batch(rhs.shape().begin(), rhs.shape().end() - 2);
  for (std::size_t i = 1; i <= std::min(lhs_batch.size(), rhs_batch.size()); ++i) {
    const std::int64_t l = lhs_batch[lhs_batch.size() - i], r = rhs_batch[rhs_batch.size() - i];
    NABLA_CHECK(l == r || l == 1 || r == 1, "matmul: batch dimensions do not broadcast: a ", a.shape(), " vs b ",
                b.shape());
  }
  Shape out_shape = broadcast_shapes("matmul", lhs_batch, rhs_batch);
  const std::int64_t batches = numel(out_shape);
  out_shape.push_back(m);
  out_shape.push_back(n);
  // GEMM overwrites the output; only an empty inner dimension leaves zeros.
  Tensor out = k == 0 ? zeros(out_shape, a.dtype()) : empty(out_shape, a.dtype());

  if (out.numel() > 0 && k > 0) {
    dispatch(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if (rhs_batch.empty() && lhs.is_contiguous()) {
        // One matrix on the right: fold the left batch into its rows, one GEMM.
        gemm<T>(lhs.reshape({batches * m, k}), rhs, out.data<T>());
        return;
      }
      Shape lhs_full = out_shape, rhs_full = out_shape;
      lhs_full.back() = k;
      rhs_full.end()[-2] = k;
      const Tensor lhs_broadcast = lhs.broadcast_to(lhs_full);
      const Tensor rhs_broadcast = rhs.broadcast_to(rhs_full);
      const std::size_t batch_rank = out_shape.size() - 2;
      for (std::int64_t i = 0; i < batches; ++i) {
        Tensor lhs_matrix = lhs_broadcast, rhs_matrix = rhs_broadcast;
        std::int64_t stride = batches;
        for (std::size_t d = 0; d < batch_rank; ++d) {
          stride /= out_shape[d];
          lhs_matrix = lhs_matrix.select(0, i / stride % out_shape[d]);
          rhs_matrix = rhs_matrix.select(0, i / stride % out_shape[d]);
        }
        gemm<T>(lhs_matrix, rhs_matrix, out.data<T>() + i * m * n);
      }
    });
  }
  if (a.rank() == 1) out = out.squeeze(-2);
  if (b.rank() == 1) out = out.squeeze(-1);
  return out;
}

}  // namespace nabla
