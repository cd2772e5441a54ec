#include "tensor/linalg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "tensor/backend.h"
#include "tensor/internal/sgemm.h"

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Small integers, so every product and sum is exact in float32, float64 and
// int64 alike.
std::vector<double> small_integers(std::int64_t count, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_int_distribution<int> draw(-4, 4);
  std::vector<double> result(static_cast<std::size_t>(count));
  for (double& v : result) v = draw(engine);
  return result;
}

// A matrix given by a function of (row, column), for views of any layout.
using Element = std::function<double(std::int64_t, std::int64_t)>;

std::vector<double> naive_matmul(std::int64_t m, std::int64_t k, std::int64_t n, const Element& a, const Element& b) {
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double total = 0;
      for (std::int64_t p = 0; p < k; ++p) total += a(i, p) * b(p, j);
      c[i * n + j] = total;
    }
  }
  return c;
}

Element row_major(const std::vector<double>& data, std::int64_t columns) {
  return [&data, columns](std::int64_t i, std::int64_t j) { return data[i * columns + j]; };
}

TEST(MatmulTest, HandWorked2D) {
  for (DType dtype : {kFloat32, kFloat64, kInt64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor a = tensor({1, 2, 3, 4}, {2, 2}, dtype);
    const Tensor b = tensor({5, 6, 7, 8}, {2, 2}, dtype);
    const Tensor c = matmul(a, b);
    EXPECT_EQ(c.dtype(), dtype);
    EXPECT_THAT(c.shape(), ElementsAre(2, 2));
    EXPECT_THAT(values(c), ElementsAre(19, 22, 43, 50));
    const Tensor r = matmul(tensor({1, 2, 3, 4, 5, 6}, {2, 3}, dtype), tensor({1, 0, 0, 1, 1, 1}, {3, 2}, dtype));
    EXPECT_THAT(values(r), ElementsAre(4, 5, 10, 11));
  }
}

TEST(MatmulTest, Int64StaysExactBeyondDoublePrecision) {
  const std::int64_t big = (std::int64_t{1} << 60) + 1;
  const Tensor a = from_vector(std::vector<std::int64_t>{big, 1, 0, 2}, {2, 2});
  const Tensor b = from_vector(std::vector<std::int64_t>{1, 0, 3, 1}, {2, 2});
  EXPECT_THAT(matmul(a, b).to_vector<std::int64_t>(), ElementsAre(big + 3, 1, 6, 2));
}

TEST(MatmulTest, VectorOperands) {
  for (DType dtype : {kFloat32, kFloat64, kInt64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor m = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, dtype);
    const Tensor v3 = tensor({1, 0, -1}, {3}, dtype);
    const Tensor v2 = tensor({2, -1}, {2}, dtype);
    const Tensor mv = matmul(m, v3);  // [2, 3] x [3] -> [2]
    EXPECT_THAT(mv.shape(), ElementsAre(2));
    EXPECT_THAT(values(mv), ElementsAre(-2, -2));
    const Tensor vm = matmul(v2, m);  // [2] x [2, 3] -> [3]
    EXPECT_THAT(vm.shape(), ElementsAre(3));
    EXPECT_THAT(values(vm), ElementsAre(-2, -1, 0));
    const Tensor vv = matmul(v3, tensor({4, 5, 6}, {3}, dtype));  // [3] x [3] -> []
    EXPECT_THAT(vv.shape(), IsEmpty());
    EXPECT_EQ(vv.item(), -2);
  }
}

TEST(MatmulTest, BatchedWithBroadcastBatchDimensions) {
  struct Case {
    Shape a, b, out;
  };
  const std::vector<Case> cases = {
      {{2, 3, 4}, {4, 5}, {2, 3, 5}},    {{3, 4}, {2, 4, 5}, {2, 3, 5}},
      {{2, 3, 4}, {2, 4, 5}, {2, 3, 5}}, {{2, 1, 3, 4}, {3, 4, 5}, {2, 3, 3, 5}},
      {{1, 3, 4}, {2, 4, 5}, {2, 3, 5}}, {{4}, {2, 4, 5}, {2, 5}},
      {{2, 3, 4}, {4}, {2, 3}},          {{2, 1, 1, 4}, {1, 3, 4, 2}, {2, 3, 1, 2}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << testing::PrintToString(c.a) << " x " << testing::PrintToString(c.b));
    const std::vector<double> a = small_integers(numel(c.a), 1);
    const std::vector<double> b = small_integers(numel(c.b), 2);
    // Expected: pad both to rank 4 as [batch0, batch1, rows, cols] and loop.
    auto pad = [](Shape s, bool is_left) {
      if (s.size() == 1) s.insert(is_left ? s.begin() : s.end(), 1);
      while (s.size() < 4) s.insert(s.begin(), 1);
      return s;
    };
    const Shape pa = pad(c.a, true), pb = pad(c.b, false);
    const std::int64_t m = pa[2], k = pa[3], n = pb[3];
    std::vector<double> expected;
    for (std::int64_t b0 = 0; b0 < std::max(pa[0], pb[0]); ++b0) {
      for (std::int64_t b1 = 0; b1 < std::max(pa[1], pb[1]); ++b1) {
        const std::int64_t a_base = ((pa[0] == 1 ? 0 : b0) * pa[1] + (pa[1] == 1 ? 0 : b1)) * m * k;
        const std::int64_t b_base = ((pb[0] == 1 ? 0 : b0) * pb[1] + (pb[1] == 1 ? 0 : b1)) * k * n;
        const std::vector<double> block = naive_matmul(
            m, k, n, [&](std::int64_t i, std::int64_t p) { return a[a_base + i * k + p]; },
            [&](std::int64_t p, std::int64_t j) { return b[b_base + p * n + j]; });
        expected.insert(expected.end(), block.begin(), block.end());
      }
    }
    for (DType dtype : {kFloat32, kFloat64, kInt64}) {
      SCOPED_TRACE(dtype_name(dtype));
      const Tensor c_out = matmul(from_vector(a, c.a).astype(dtype), from_vector(b, c.b).astype(dtype));
      EXPECT_EQ(c_out.shape(), c.out);
      EXPECT_EQ(values(c_out), expected);
    }
  }
}

TEST(MatmulTest, TransposedViews) {
  const std::int64_t m = 5, k = 7, n = 3;
  const std::vector<double> at = small_integers(k * m, 3);  // stored as [K, M]
  const std::vector<double> bt = small_integers(n * k, 4);  // stored as [N, K]
  const std::vector<double> ad = small_integers(m * k, 5);  // stored as [M, K]
  const std::vector<double> bd = small_integers(k * n, 6);  // stored as [K, N]
  const Element a_t = [&](std::int64_t i, std::int64_t p) { return at[p * m + i]; };
  const Element b_t = [&](std::int64_t p, std::int64_t j) { return bt[j * k + p]; };
  for (DType dtype : {kFloat32, kFloat64, kInt64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor ta = from_vector(at, {k, m}).astype(dtype).transpose(0, 1);
    const Tensor tb = from_vector(bt, {n, k}).astype(dtype).transpose(0, 1);
    const Tensor da = from_vector(ad, {m, k}).astype(dtype);
    const Tensor db = from_vector(bd, {k, n}).astype(dtype);
    EXPECT_EQ(values(matmul(ta, db)), naive_matmul(m, k, n, a_t, row_major(bd, n)));
    EXPECT_EQ(values(matmul(da, tb)), naive_matmul(m, k, n, row_major(ad, k), b_t));
    EXPECT_EQ(values(matmul(ta, tb)), naive_matmul(m, k, n, a_t, b_t));
    // Batched transposed views: [2, K, M] -> [2, M, K].
    const std::vector<double> batch = small_integers(2 * k * m, 7);
    const Tensor tbatch = from_vector(batch, {2, k, m}).astype(dtype).transpose(1, 2);
    std::vector<double> expected;
    for (int s = 0; s < 2; ++s) {
      const std::vector<double> block = naive_matmul(
          m, k, n, [&](std::int64_t i, std::int64_t p) { return batch[s * k * m + p * m + i]; }, row_major(bd, n));
      expected.insert(expected.end(), block.begin(), block.end());
    }
    const Tensor out = matmul(tbatch, db);
    EXPECT_THAT(out.shape(), ElementsAre(2, m, n));
    EXPECT_EQ(values(out), expected);
  }
}

// A short matrix times a transposed one with a long inner dimension takes
// its own route in float32 (cᵀ = b · aᵀ): a dense layer's input gradient.
// Row counts on both sides of its limit of 128; small integers keep every
// sum exact.
TEST(MatmulTest, ShortTimesTransposedWithLongInnerDimension) {
  const std::int64_t k = 1024, n = 40;
  for (std::int64_t m : {1, 3, 64, 128, 129}) {
    SCOPED_TRACE(m);
    const std::vector<double> a = small_integers(m * k, 12);
    const std::vector<double> bt = small_integers(n * k, 13);  // stored as [N, K]
    const Element b_t = [&](std::int64_t p, std::int64_t j) { return bt[j * k + p]; };
    const Tensor ta = from_vector(a, {m, k}).astype(kFloat32);
    const Tensor tb = from_vector(bt, {n, k}).astype(kFloat32).transpose(0, 1);
    const Tensor out = matmul(ta, tb);
    EXPECT_THAT(out.shape(), ElementsAre(m, n));
    EXPECT_EQ(values(out), naive_matmul(m, k, n, row_major(a, k), b_t));
  }
}

TEST(MatmulTest, SlicedViewsWithNonUnitStrides) {
  const std::vector<double> big = small_integers(9 * 10, 8);    // [9, 10]
  const std::vector<double> other = small_integers(12 * 8, 9);  // [12, 8]
  for (DType dtype : {kFloat32, kFloat64, kInt64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor x = from_vector(big, {9, 10}).astype(dtype);
    const Tensor y = from_vector(other, {12, 8}).astype(dtype);
    // Every other column: a column stride of 2 (no BLAS layout fits).
    const Tensor a = x.slice(1, 0, 10, 2);                 // [9, 5]
    const Tensor b = y.slice(0, 1, 11, 2).slice(1, 0, 3);  // rows 1, 3, .., 9 and 3 columns: [5, 3]
    const Element ea = [&](std::int64_t i, std::int64_t p) { return big[i * 10 + 2 * p]; };
    const Element eb = [&](std::int64_t p, std::int64_t j) { return other[(1 + 2 * p) * 8 + j]; };
    EXPECT_EQ(values(matmul(a, b)), naive_matmul(9, 5, 3, ea, eb));
    // Every other row: a row stride of 20 with dense rows.
    const Tensor rows = x.slice(0, 0, 9, 2).slice(1, 2, 7);  // [5, 5], offset 2
    const Element er = [&](std::int64_t i, std::int64_t p) { return big[2 * i * 10 + 2 + p]; };
    EXPECT_EQ(values(matmul(rows, b)), naive_matmul(5, 5, 3, er, eb));
    // A transposed view of a column-sliced matrix.
    const Tensor tc = x.slice(1, 1, 10, 3).transpose(0, 1);  // [3, 9]: column stride 10, row stride 3
    const Element et = [&](std::int64_t i, std::int64_t p) { return big[p * 10 + 1 + 3 * i]; };
    const std::vector<double> rhs_data = small_integers(9 * 4, 10);
    const Tensor rhs = from_vector(rhs_data, {9, 4}).astype(dtype);
    EXPECT_EQ(values(matmul(tc, rhs)), naive_matmul(3, 9, 4, et, row_major(rhs_data, 4)));
    // Broadcast rows (stride 0) on either side.
    const Tensor repeated = from_vector(std::vector<double>{1, 2, 3}).astype(dtype).broadcast_to({4, 3});
    const Tensor three_by_two = tensor({1, 0, 0, 1, 1, 1}, {3, 2}, dtype);
    EXPECT_THAT(values(matmul(repeated, three_by_two)), ElementsAre(4, 5, 4, 5, 4, 5, 4, 5));
    const Tensor column = tensor({1, 2, 3}, {3, 1}, dtype).broadcast_to({3, 2});
    EXPECT_THAT(values(matmul(tensor({1, 1, 1, 0, 0, 1}, {2, 3}, dtype), column)), ElementsAre(6, 6, 3, 3));
    // A single row or column taken out of a larger matrix.
    const Tensor row = x.slice(0, 4, 5);  // [1, 10] with offset
    const Tensor col = x.slice(1, 3, 4);  // [9, 1], row stride 10
    double expected = 0;
    for (int p = 0; p < 9; ++p) expected += big[p * 10 + 3] * big[p * 10 + 3];
    EXPECT_EQ(matmul(col.transpose(0, 1), col).item(), expected);
    const Tensor rhs_rows = y.slice(0, 0, 10).slice(1, 0, 3);  // [10, 3], row stride 8
    const Element er1 = [&](std::int64_t, std::int64_t p) { return big[40 + p]; };
    const Element ey = [&](std::int64_t p, std::int64_t j) { return other[p * 8 + j]; };
    EXPECT_EQ(values(matmul(row, rhs_rows)), naive_matmul(1, 10, 3, er1, ey));
  }
}

TEST(MatmulTest, EmptyInnerDimensionGivesZeros) {
  for (DType dtype : {kFloat32, kFloat64, kInt64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor c = matmul(zeros({3, 0}, dtype), zeros({0, 4}, dtype));
    EXPECT_THAT(c.shape(), ElementsAre(3, 4));
    EXPECT_EQ(values(c), std::vector<double>(12, 0.0));
    EXPECT_THAT(matmul(zeros({0, 3}, dtype), zeros({3, 4}, dtype)).shape(), ElementsAre(0, 4));
    EXPECT_THAT(matmul(zeros({2, 3}, dtype), zeros({3, 0}, dtype)).shape(), ElementsAre(2, 0));
    EXPECT_EQ(matmul(zeros({0}, dtype), zeros({0}, dtype)).item(), 0);
    EXPECT_THAT(matmul(zeros({0, 2, 3}, dtype), zeros({3, 4}, dtype)).shape(), ElementsAre(0, 2, 4));
  }
}

TEST(MatmulTest, ErrorsNameBothShapes) {
  EXPECT_THAT(
      [] {
        matmul(zeros({2, 3}), zeros({4, 5}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("matmul"), HasSubstr("[2, 3]"), HasSubstr("[4, 5]"))));
  EXPECT_THAT([] { matmul(zeros({3}), zeros({4})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("matmul"), HasSubstr("[3]"), HasSubstr("[4]"))));
  EXPECT_THAT(
      [] {
        matmul(zeros({2, 3}), zeros({2}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("matmul"), HasSubstr("[2, 3]"), HasSubstr("[2]"))));
  EXPECT_THAT([] { matmul(scalar(1), zeros({3})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("matmul"), HasSubstr("[]"), HasSubstr("[3]"))));
  EXPECT_THAT(
      [] {
        matmul(zeros({3, 2}), scalar(1));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("matmul"), HasSubstr("[3, 2]"), HasSubstr("[]"))));
  EXPECT_THAT(
      [] {
        matmul(zeros({2, 2}), zeros({2, 2}, kFloat64));
      },
      ThrowsMessage<Error>(
          AllOf(HasSubstr("matmul"), HasSubstr("float32"), HasSubstr("float64"), HasSubstr("[2, 2]"))));
  EXPECT_THAT(
      [] {
        matmul(zeros({2, 3, 4}), zeros({3, 4, 5}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("matmul"), HasSubstr("[2, 3, 4]"), HasSubstr("[3, 4, 5]"))));
  EXPECT_THAT([] { matmul(Tensor(), zeros({2})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("matmul"), HasSubstr("undefined"))));
}

TEST(MatmulTest, MnistLayerSizeInFloat32) {
  const std::int64_t m = 64, k = 784, n = 256;
  std::mt19937 engine(11);
  std::uniform_real_distribution<float> draw(-1, 1);
  std::vector<double> a(m * k), b(k * n);
  for (double& v : a) v = draw(engine);
  for (double& v : b) v = draw(engine);
  const Tensor ta = from_vector(a, {m, k}).astype(kFloat32);
  const Tensor tb = from_vector(b, {k, n}).astype(kFloat32);
  const std::vector<double> expected = naive_matmul(m, k, n, row_major(a, k), row_major(b, n));
  const std::vector<double> got = values(matmul(ta, tb));
  ASSERT_EQ(got.size(), expected.size());
  // Each entry sums 784 products of magnitude <= 1; float32 rounding stays
  // far below 1e-3.
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], expected[i], 1e-3) << i;
  // The same product with the weight stored transposed, as nn layers keep it.
  const Tensor tbt = from_vector(b, {k, n}).astype(kFloat32).transpose(0, 1).contiguous().transpose(0, 1);
  const std::vector<double> got_t = values(matmul(ta, tbt));
  for (std::size_t i = 0; i < got_t.size(); ++i) ASSERT_NEAR(got_t[i], expected[i], 1e-3) << i;
}

// One row or one column of C runs on Eigen's GEMV inside internal::sgemm:
// every transpose of A and B, with C's old values scaled (beta 0.5) or
// ignored, NaN included (beta 0), against sums worked out in double.
// Small integers keep every sum exact.
TEST(SgemmTest, MatrixVectorProductsInEveryLayout) {
  const std::int64_t k = 300, wide = 70;  // wide enough for Eigen's vectorised loops
  for (const auto& [m, n] : {std::pair<std::int64_t, std::int64_t>{1, wide}, {wide, 1}, {1, 1}}) {
    for (const char trans_a : {'N', 'T'}) {
      for (const char trans_b : {'N', 'T'}) {
        for (const float beta : {0.0f, 0.5f}) {
          SCOPED_TRACE(::testing::Message() << m << "x" << k << " · " << k << "x" << n << " " << trans_a << trans_b
                                            << " beta " << beta);
          const std::vector<double> a = small_integers(m * k, 14), b = small_integers(k * n, 15);
          // Stored transposed when trans: A as [k, m], B as [n, k].
          const Element op_a = [&](std::int64_t i, std::int64_t p) { return trans_a == 'T' ? a[p * m + i] : a[i * k + p]; };
          const Element op_b = [&](std::int64_t p, std::int64_t j) { return trans_b == 'T' ? b[j * k + p] : b[p * n + j]; };
          const std::vector<float> a32(a.begin(), a.end()), b32(b.begin(), b.end());
          std::vector<float> c(static_cast<std::size_t>(m * n), beta == 0 ? std::nanf("") : 4.0f);
          const dnnl_status_t status =
              internal::sgemm(trans_a, trans_b, m, n, k, 2.0f, a32.data(), trans_a == 'T' ? m : k, b32.data(),
                              trans_b == 'T' ? k : n, beta, c.data(), n);
          ASSERT_EQ(status, dnnl_success);
          const std::vector<double> product = naive_matmul(m, k, n, op_a, op_b);
          for (std::size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], 2 * product[i] + (beta == 0 ? 0 : 2)) << i;
        }
      }
    }
  }
}

// A short A times a B whose rows are 4 KB apart runs over slices of k (see
// sgemm.h): the sums over all slices, alpha applied to each and beta once,
// and C unread with beta 0. B is a 1024-column matrix or 1000 columns of a
// 2048-column one; k = 1100 leaves a short last slice. Small integers keep
// every sum exact, whatever the order.
TEST(SgemmTest, ProductsOverSlicesOfTheInnerDimension) {
  const std::int64_t m = 16, k = 1100;
  for (const auto& [n, ldb] : {std::pair<std::int64_t, std::int64_t>{1024, 1024}, {1000, 2048}}) {
    for (const float beta : {0.0f, 0.5f}) {
      SCOPED_TRACE(::testing::Message() << m << "x" << k << " · " << k << "x" << n << " ldb " << ldb << " beta "
                                        << beta);
      const std::vector<double> a = small_integers(m * k, 16), b = small_integers(k * ldb, 17);
      const Element op_a = [&](std::int64_t i, std::int64_t p) { return a[i * k + p]; };
      const Element op_b = [&](std::int64_t p, std::int64_t j) { return b[p * ldb + j]; };
      const std::vector<float> a32(a.begin(), a.end()), b32(b.begin(), b.end());
      std::vector<float> c(static_cast<std::size_t>(m * n), beta == 0 ? std::nanf("") : 4.0f);
      ASSERT_EQ(internal::sgemm('N', 'N', m, n, k, 2.0f, a32.data(), k, b32.data(), ldb, beta, c.data(), n),
                dnnl_success);
      const std::vector<double> product = naive_matmul(m, k, n, op_a, op_b);
      for (std::size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], 2 * product[i] + (beta == 0 ? 0 : 2)) << i;
    }
  }
}

// The same route reached through matmul (B a dense [K, 1024] matrix, or 1000
// columns of a [K, 2048] one) on both backends, and a raw GEMM that adds to C
// (beta 1, as kernels' accumulate) with the column past n untouched; at 1 and
// 2 threads.
TEST(SgemmTest, SlicedProductsOnBothBackendsAndThreadCounts) {
  const std::int64_t m = 40, k = 1100;
  const int saved_threads = num_threads();
  const std::vector<double> a = small_integers(m * k, 18), b = small_integers(k * 2048, 19);
  for (const auto& [n, ldb] : {std::pair<std::int64_t, std::int64_t>{1024, 1024}, {1000, 2048}}) {
    const Element op_b = [&, ldb = ldb](std::int64_t p, std::int64_t j) { return b[p * ldb + j]; };
    const std::vector<double> expected = naive_matmul(m, k, n, row_major(a, k), op_b);
    const Tensor tb = from_vector(std::vector<double>(b.begin(), b.begin() + k * ldb), {k, ldb}).astype(kFloat32);
    const Tensor ta = from_vector(a, {m, k}).astype(kFloat32);
    for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
      for (int threads : {1, 2}) {
        SCOPED_TRACE(::testing::Message() << "ldb " << ldb << " " << backend_name(backend) << " threads " << threads);
        const BackendScope scope(backend);
        set_num_threads(threads);
        EXPECT_EQ(values(matmul(ta, tb.slice(1, 0, n))), expected);
        // C [m, n + 1]: the extra column must keep its 7.
        const std::int64_t ldc = n + 1;
        const std::vector<float> a32(a.begin(), a.end()), b32(b.begin(), b.begin() + k * ldb);
        std::vector<float> c(static_cast<std::size_t>(m * ldc), 7.0f);
        ASSERT_EQ(internal::sgemm('N', 'N', m, n, k, 1.0f, a32.data(), k, b32.data(), ldb, 1.0f, c.data(), ldc),
                  dnnl_success);
        for (std::int64_t i = 0; i < m; ++i) {
          for (std::int64_t j = 0; j < ldc; ++j) {
            ASSERT_EQ(c[i * ldc + j], 7 + (j < n ? expected[i * n + j] : 0)) << i << ", " << j;
          }
        }
      }
    }
  }
  set_num_threads(saved_threads);
}

// As NumPy's, int64 products wrap around modulo 2^64 (in C++ an overflowing
// int64 operation is undefined behaviour, which the sanitizer build reports).
TEST(MatmulTest, Int64WrapsAroundOnOverflowAsNumPy) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const Tensor row = from_vector(std::vector<std::int64_t>{kMax, 1}).reshape({1, 2});
  EXPECT_THAT(matmul(row, ones({2, 1}, kInt64)).to_vector<std::int64_t>(), ElementsAre(kMin));
  // [[kMax, kMax], [1, 2]] . [[1, 2], [1, 0]] = [[2 kMax, 2 kMax], [3, 2]]; 2 kMax = 2^64 - 2.
  const Tensor a = from_vector(std::vector<std::int64_t>{kMax, kMax, 1, 2}).reshape({2, 2});
  const Tensor b = from_vector(std::vector<std::int64_t>{1, 2, 1, 0}).reshape({2, 2});
  EXPECT_THAT(matmul(a, b).to_vector<std::int64_t>(), ElementsAre(-2, -2, 3, 2));
}

}  // namespace
}  // namespace nabla
