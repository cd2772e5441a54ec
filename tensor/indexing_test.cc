#include "tensor/indexing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tensor/elementwise.h"

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

Tensor iota(const Shape& shape, DType dtype = kFloat32) {
  std::vector<double> data(static_cast<std::size_t>(numel(shape)));
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<double>(i);
  return from_vector(data, shape).astype(dtype);
}

Tensor ids(std::initializer_list<double> v, Shape shape = {-1}) { return tensor(v, std::move(shape), kInt64); }

// ---- concat / stack. ----

TEST(ConcatTest, AlongEachAxis) {
  const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = tensor({7, 8, 9}, {1, 3});
  const Tensor rows = concat({a, b}, 0);
  EXPECT_THAT(rows.shape(), ElementsAre(3, 3));
  EXPECT_THAT(values(rows), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9));
  const Tensor c = tensor({10, 20}, {2, 1});
  const Tensor columns = concat({a, c}, 1);
  EXPECT_THAT(columns.shape(), ElementsAre(2, 4));
  EXPECT_THAT(values(columns), ElementsAre(1, 2, 3, 10, 4, 5, 6, 20));
  EXPECT_THAT(values(concat({c, a, c}, -1)), ElementsAre(10, 1, 2, 3, 10, 20, 4, 5, 6, 20));
  EXPECT_THAT(values(concat({a})), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_FALSE(concat({a}).shares_storage_with(a));
}

TEST(ConcatTest, ViewsEmptiesAndInt64) {
  const Tensor a = iota({3, 2});  // transposed below: [[0, 2, 4], [1, 3, 5]]
  const Tensor joined = concat({a.transpose(0, 1), zeros({0, 3}), iota({6}).slice(0, 0, 6, 2).unsqueeze(0)}, 0);
  EXPECT_THAT(joined.shape(), ElementsAre(3, 3));
  EXPECT_THAT(values(joined), ElementsAre(0, 2, 4, 1, 3, 5, 0, 2, 4));
  const Tensor i = concat({ids({1, 2}), ids({3})});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(1, 2, 3));
  EXPECT_THAT(concat({zeros({0}), zeros({0})}).shape(), ElementsAre(0));
}

TEST(ConcatTest, Int64StaysExactBeyondDoublePrecision) {
  const std::int64_t big = (std::int64_t{1} << 60) + 1;
  const Tensor a = from_vector(std::vector<std::int64_t>{big, -big});
  EXPECT_THAT(concat({a, a.slice(0, 1, 2)}).to_vector<std::int64_t>(), ElementsAre(big, -big, -big));
  EXPECT_THAT(stack({a, a}, 1).to_vector<std::int64_t>(), ElementsAre(big, big, -big, -big));
  EXPECT_THAT(index_select(a, 0, ids({1, 0})).to_vector<std::int64_t>(), ElementsAre(-big, big));
  EXPECT_THAT(gather(a, 0, ids({1, 1})).to_vector<std::int64_t>(), ElementsAre(-big, -big));
  EXPECT_THAT(where(ids({0, 1}), a, ids({7, 7})).to_vector<std::int64_t>(), ElementsAre(7, -big));
}

TEST(ConcatTest, Errors) {
  EXPECT_THAT(
      [] {
        concat({zeros({2, 3}), zeros({2, 4})}, 0);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("concat"), HasSubstr("[2, 3]"), HasSubstr("[2, 4]"))));
  EXPECT_THAT(
      [] {
        concat({zeros({2, 3}), zeros({2, 3, 1})}, 0);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("concat"), HasSubstr("[2, 3]"), HasSubstr("[2, 3, 1]"))));
  EXPECT_THAT(
      [] {
        concat({zeros({2}), zeros({2}, kInt64)});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("concat"), HasSubstr("float32"), HasSubstr("int64"), HasSubstr("[2]"))));
  EXPECT_THAT(
      [] {
        concat({zeros({2, 3})}, 2);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("concat"), HasSubstr("[2, 3]"))));
  EXPECT_THAT(
      [] {
        concat({scalar(1), scalar(2)});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("concat"), HasSubstr("[]"))));
  EXPECT_THAT([] { concat({}); }, ThrowsMessage<Error>(HasSubstr("concat")));
  EXPECT_THAT(
      [] {
        concat({zeros({1}), Tensor()});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("concat"), HasSubstr("undefined"))));
}

TEST(StackTest, AlongANewAxis) {
  const Tensor a = tensor({1, 2, 3});
  const Tensor b = tensor({4, 5, 6});
  const Tensor s0 = stack({a, b});
  EXPECT_THAT(s0.shape(), ElementsAre(2, 3));
  EXPECT_THAT(values(s0), ElementsAre(1, 2, 3, 4, 5, 6));
  const Tensor s1 = stack({a, b}, 1);
  EXPECT_THAT(s1.shape(), ElementsAre(3, 2));
  EXPECT_THAT(values(s1), ElementsAre(1, 4, 2, 5, 3, 6));
  EXPECT_THAT(values(stack({a, b}, -1)), ElementsAre(1, 4, 2, 5, 3, 6));
  const Tensor scalars = stack({scalar(1), scalar(2), scalar(3)});
  EXPECT_THAT(scalars.shape(), ElementsAre(3));
  EXPECT_THAT(values(scalars), ElementsAre(1, 2, 3));
  EXPECT_THAT(stack({iota({2, 3}), iota({2, 3})}, 1).shape(), ElementsAre(2, 2, 3));
}

TEST(StackTest, Errors) {
  EXPECT_THAT(
      [] {
        stack({zeros({3}), zeros({4})});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("stack"), HasSubstr("[3]"), HasSubstr("[4]"))));
  EXPECT_THAT(
      [] {
        stack({zeros({3}), zeros({3})}, 2);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("stack"), HasSubstr("[3]"))));
  EXPECT_THAT([] { stack({}); }, ThrowsMessage<Error>(HasSubstr("stack")));
}

// ---- index_select. ----

TEST(IndexSelectTest, OneDimensionalIndices) {
  const Tensor x = iota({4, 3});
  const Tensor rows = index_select(x, 0, ids({3, 0, 3}));
  EXPECT_THAT(rows.shape(), ElementsAre(3, 3));
  EXPECT_THAT(values(rows), ElementsAre(9, 10, 11, 0, 1, 2, 9, 10, 11));
  const Tensor columns = index_select(x, 1, ids({2, 0}));
  EXPECT_THAT(columns.shape(), ElementsAre(4, 2));
  EXPECT_THAT(values(columns), ElementsAre(2, 0, 5, 3, 8, 6, 11, 9));
  EXPECT_THAT(values(index_select(x, -1, ids({1}))), ElementsAre(1, 4, 7, 10));
  EXPECT_THAT(index_select(x, 0, ids({})).shape(), ElementsAre(0, 3));
  EXPECT_THAT(values(index_select(x, 0, ids({0, 3, 2}).slice(0, 1, 3))), ElementsAre(9, 10, 11, 6, 7, 8));
  EXPECT_THAT(values(index_select(x.select(0, 2), 0, ids({2, 0}))), ElementsAre(8, 6));
  const Tensor picked = index_select(x.transpose(0, 1), 1, ids({1, 3}));  // [3, 2]
  EXPECT_THAT(values(picked), ElementsAre(3, 9, 4, 10, 5, 11));
  EXPECT_THAT(index_select(iota({5}, kInt64), 0, ids({4, 1})).to_vector<std::int64_t>(), ElementsAre(4, 1));
  const Tensor one = index_select(iota({5}), 0, ids({2}, {}));  // 0-d index removes the axis
  EXPECT_THAT(one.shape(), IsEmpty());
  EXPECT_EQ(one.item(), 2);
}

TEST(IndexSelectTest, EmbeddingLookupWithTwoDimensionalIndices) {
  const Tensor table = iota({5, 3}, kFloat64);      // V = 5, D = 3
  const Tensor tokens = ids({0, 4, 2, 2}, {2, 2});  // B = 2, T = 2
  const Tensor embedded = index_select(table, 0, tokens);
  EXPECT_THAT(embedded.shape(), ElementsAre(2, 2, 3));
  EXPECT_EQ(embedded.dtype(), kFloat64);
  EXPECT_THAT(values(embedded), ElementsAre(0, 1, 2, 12, 13, 14, 6, 7, 8, 6, 7, 8));
  // Indices that are a non-contiguous view.
  const Tensor tokens_t = tokens.transpose(0, 1);  // [[0, 2], [4, 2]]
  EXPECT_THAT(values(index_select(table, 0, tokens_t)), ElementsAre(0, 1, 2, 6, 7, 8, 12, 13, 14, 6, 7, 8));
  // Middle axis of a 3-D tensor with 2-D indices: [2, 4, 2] -> [2, 1, 2, 2].
  const Tensor x = iota({2, 4, 2});
  const Tensor y = index_select(x, 1, ids({3, 1}, {1, 2}));
  EXPECT_THAT(y.shape(), ElementsAre(2, 1, 2, 2));
  EXPECT_THAT(values(y), ElementsAre(6, 7, 2, 3, 14, 15, 10, 11));
}

TEST(IndexSelectTest, LargeLookupRunsInParallel) {
  const Tensor table = iota({1000, 64});
  std::vector<std::int64_t> tokens;
  for (std::int64_t i = 0; i < 2048; ++i) tokens.push_back((i * 37) % 1000);
  const std::vector<float> out = index_select(table, 0, from_vector(tokens, {32, 64})).to_vector<float>();
  ASSERT_EQ(out.size(), 2048u * 64u);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    for (std::size_t d = 0; d < 64; ++d) ASSERT_EQ(out[i * 64 + d], static_cast<float>(tokens[i] * 64 + d));
  }
}

TEST(IndexSelectTest, Errors) {
  const Tensor x = iota({4, 3});
  EXPECT_THAT(
      [&] {
        index_select(x, 0, ids({1, 4}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_select"), HasSubstr("index 4"), HasSubstr("[4, 3]"))));
  EXPECT_THAT([&] { index_select(x, 1, ids({-1})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("index_select"), HasSubstr("index -1"), HasSubstr("[4, 3]"))));
  EXPECT_THAT(
      [&] {
        index_select(x, 0, tensor({1, 2}));
      },
      ThrowsMessage<Error>(
          AllOf(HasSubstr("index_select"), HasSubstr("int64"), HasSubstr("float32"), HasSubstr("[2]"))));
  EXPECT_THAT([&] { index_select(x, 2, ids({0})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("index_select"), HasSubstr("[4, 3]"))));
  EXPECT_THAT([&] { index_select(x, 0, Tensor()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("index_select"), HasSubstr("undefined"))));
  EXPECT_THAT(
      [&] {
        index_select(zeros({0, 3}), 0, ids({0}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_select"), HasSubstr("[0, 3]"))));
}

// ---- gather. ----

TEST(GatherTest, AlongAxisOneAndZero) {
  const Tensor x = iota({3, 4});  // [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
  // out[i][j] = x[i][index[i][j]]
  const Tensor g1 = gather(x, 1, ids({3, 0, 1, 1}, {2, 2}));
  EXPECT_THAT(g1.shape(), ElementsAre(2, 2));
  EXPECT_THAT(values(g1), ElementsAre(3, 0, 5, 5));
  // out[i][j] = x[index[i][j]][j]
  const Tensor g0 = gather(x, 0, ids({2, 0, 1, 1, 0, 2}, {2, 3}));
  EXPECT_THAT(g0.shape(), ElementsAre(2, 3));
  EXPECT_THAT(values(g0), ElementsAre(8, 1, 6, 4, 1, 10));
  // Index larger than x along the gathered axis is fine.
  EXPECT_THAT(values(gather(x, 1, ids({0, 0, 0, 0, 0, 3}, {1, 6}))), ElementsAre(0, 0, 0, 0, 0, 3));
  EXPECT_THAT(values(gather(x, -1, ids({1, 2, 3}, {3, 1}))), ElementsAre(1, 6, 11));
  // Picking each row's label score, as a loss does.
  const Tensor scores = tensor({0.1, 0.7, 0.2, 0.5, 0.3, 0.2}, {2, 3}, kFloat64);
  EXPECT_THAT(values(gather(scores, 1, ids({1, 0}, {2, 1}))), ElementsAre(0.7, 0.5));
  // A non-contiguous x.
  EXPECT_THAT(values(gather(x.transpose(0, 1), 1, ids({2, 0}, {2, 1}))), ElementsAre(8, 1));
  EXPECT_THAT(gather(iota({3}, kInt64), 0, ids({2, 2})).to_vector<std::int64_t>(), ElementsAre(2, 2));
}

TEST(GatherTest, Errors) {
  const Tensor x = iota({3, 4});
  EXPECT_THAT(
      [&] {
        gather(x, 1, ids({4}, {1, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("gather"), HasSubstr("index 4"), HasSubstr("[3, 4]"))));
  EXPECT_THAT(
      [&] {
        gather(x, 0, ids({-1}, {1, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("gather"), HasSubstr("-1"), HasSubstr("[3, 4]"))));
  EXPECT_THAT(
      [&] {
        gather(x, 1, ids({0, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("gather"), HasSubstr("[2]"), HasSubstr("[3, 4]"))));
  EXPECT_THAT(
      [&] {
        gather(x, 1, zeros({4, 1}, kInt64));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("gather"), HasSubstr("[4, 1]"), HasSubstr("[3, 4]"))));
  EXPECT_THAT(
      [&] {
        gather(x, 1, zeros({1, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("gather"), HasSubstr("int64"))));
  EXPECT_THAT([&] { gather(x, 1, Tensor()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("gather"), HasSubstr("undefined"))));
}

// ---- index_add / scatter_add: the adjoints of index_select / gather. ----

TEST(IndexAddTest, RepeatedIndicesAddUp) {
  const Tensor x = ones({4, 2});
  const Tensor source = tensor({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor r = index_add(x, 0, ids({0, 2, 0}), source);
  EXPECT_THAT(r.shape(), ElementsAre(4, 2));
  EXPECT_THAT(values(r), ElementsAre(7, 9, 1, 1, 4, 5, 1, 1));
  EXPECT_THAT(values(x), ElementsAre(1, 1, 1, 1, 1, 1, 1, 1));  // x itself is unchanged
  // Axis 1, and x given as a transposed view.
  const Tensor xt = zeros({3, 2}).transpose(0, 1);  // [2, 3]
  EXPECT_THAT(values(index_add(xt, 1, ids({2, 2}), tensor({1, 10, 100, 1000}, {2, 2}))),
              ElementsAre(0, 0, 11, 0, 0, 1100));
  // Embedding backward: ids [2, 2] into a [5, 3] table.
  const Tensor grad = index_add(zeros({5, 3}, kFloat64), 0, ids({0, 4, 2, 2}, {2, 2}), ones({2, 2, 3}, kFloat64));
  EXPECT_THAT(values(grad), ElementsAre(1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1));
  EXPECT_THAT(
      index_add(zeros({3}, kInt64), 0, ids({1, 1, 1}), tensor({5, 6, 7}, {3}, kInt64)).to_vector<std::int64_t>(),
      ElementsAre(0, 18, 0));
}

TEST(IndexAddTest, IsTheAdjointOfIndexSelect) {
  // <index_select(x, a, i), s> == <x, index_add(0, a, i, s)> for any x, s.
  const Tensor x = iota({3, 4, 5}, kFloat64) * 0.5 - 7.0;
  const Tensor indices = ids({3, 0, 3, 1, 3}, {5});
  std::vector<double> s(3 * 5 * 5);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<double>((i * 7) % 11) - 5;
  const Tensor source = from_vector(s, {3, 5, 5});
  const std::vector<double> selected = values(index_select(x, 1, indices));
  const std::vector<double> added = values(index_add(zeros({3, 4, 5}, kFloat64), 1, indices, source));
  const std::vector<double> xs = values(x);
  double left = 0, right = 0;
  for (std::size_t i = 0; i < s.size(); ++i) left += selected[i] * s[i];
  for (std::size_t i = 0; i < xs.size(); ++i) right += xs[i] * added[i];
  EXPECT_EQ(left, right);
}

TEST(IndexAddTest, LargeInputsWithManyOuterBlocks) {
  const std::int64_t outer = 4096, size = 3, inner = 4;
  const Tensor source = ones({outer, 2, inner});
  const std::vector<float> r = index_add(zeros({outer, size, inner}), 1, ids({2, 2}), source).to_vector<float>();
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t j = 0; j < size; ++j) {
      for (std::int64_t e = 0; e < inner; ++e) ASSERT_EQ(r[(o * size + j) * inner + e], j == 2 ? 2.0f : 0.0f);
    }
  }
}

TEST(IndexAddTest, Errors) {
  const Tensor x = zeros({4, 2});
  EXPECT_THAT(
      [&] {
        index_add(x, 0, ids({0, 1}), zeros({3, 2}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_add"), HasSubstr("[3, 2]"), HasSubstr("[4, 2]"), HasSubstr("[2]"))));
  EXPECT_THAT(
      [&] {
        index_add(x, 0, ids({0}), zeros({1, 2}, kFloat64));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_add"), HasSubstr("float64"), HasSubstr("float32"))));
  EXPECT_THAT(
      [&] {
        index_add(x, 0, ids({4}), zeros({1, 2}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_add"), HasSubstr("index 4"), HasSubstr("[4, 2]"))));
  EXPECT_THAT(
      [&] {
        index_add(x, 0, tensor({0}), zeros({1, 2}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_add"), HasSubstr("int64"))));
  EXPECT_THAT(
      [&] {
        index_add(x, 2, ids({0}), zeros({1, 2}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_add"), HasSubstr("[4, 2]"))));
  EXPECT_THAT([&] { index_add(Tensor(), 0, ids({0}), zeros({1})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("index_add"), HasSubstr("undefined"))));
}

TEST(ScatterAddTest, RepeatedPositionsAddUp) {
  const Tensor x = zeros({3, 4});
  // out[i][index[i][j]] += source[i][j]
  const Tensor r = scatter_add(x, 1, ids({0, 0, 3, 1}, {2, 2}), tensor({1, 2, 3, 4}, {2, 2}));
  EXPECT_THAT(values(r), ElementsAre(3, 0, 0, 0, 0, 4, 0, 3, 0, 0, 0, 0));
  // out[index[i][j]][j] += source[i][j]
  const Tensor r0 =
      scatter_add(ones({2, 3}, kInt64), 0, ids({1, 0, 1, 1, 1, 1}, {2, 3}), tensor({1, 2, 3, 4, 5, 6}, {2, 3}, kInt64));
  EXPECT_THAT(r0.to_vector<std::int64_t>(), ElementsAre(1, 3, 1, 6, 6, 10));
  EXPECT_THAT(values(scatter_add(zeros({2, 2}).transpose(0, 1), 0, ids({1}, {1, 1}), tensor({5}, {1, 1}))),
              ElementsAre(0, 0, 5, 0));
}

// As NumPy's np.add.at, int64 sums wrap around modulo 2^64 (an int64
// overflow is undefined behaviour in C++, which the sanitizer build reports).
TEST(ScatterAddTest, Int64WrapsAroundOnOverflowAsNumPy) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const Tensor big = from_vector(std::vector<std::int64_t>{kMax, kMax});
  EXPECT_THAT(index_add(ones({2}, kInt64), 0, ids({0, 0}), big).to_vector<std::int64_t>(),
              ElementsAre(-1, 1));  // 1 + 2 kMax = 2^64 - 1
  EXPECT_THAT(scatter_add(ones({2}, kInt64), 0, ids({1, 1}), big).to_vector<std::int64_t>(), ElementsAre(1, -1));
  EXPECT_THAT(scatter_add(ones({1}, kInt64), 0, ids({0}), big.slice(0, 0, 1)).to_vector<std::int64_t>(),
              ElementsAre(kMin));
}

TEST(ScatterAddTest, IsTheAdjointOfGather) {
  const Tensor x = iota({3, 5}, kFloat64) - 4.0;
  const Tensor index = ids({4, 0, 4, 2, 2, 2, 1, 3, 0, 0, 0, 4}, {3, 4});
  std::vector<double> s(12);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<double>((i * 5) % 7) - 3;
  const Tensor source = from_vector(s, {3, 4});
  const std::vector<double> gathered = values(gather(x, 1, index));
  const std::vector<double> scattered = values(scatter_add(zeros({3, 5}, kFloat64), 1, index, source));
  const std::vector<double> xs = values(x);
  double left = 0, right = 0;
  for (std::size_t i = 0; i < s.size(); ++i) left += gathered[i] * s[i];
  for (std::size_t i = 0; i < xs.size(); ++i) right += xs[i] * scattered[i];
  EXPECT_EQ(left, right);
}

TEST(ScatterAddTest, Errors) {
  const Tensor x = zeros({3, 4});
  EXPECT_THAT(
      [&] {
        scatter_add(x, 1, ids({0, 1}, {1, 2}), zeros({2, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("scatter_add"), HasSubstr("[2, 1]"), HasSubstr("[1, 2]"))));
  EXPECT_THAT(
      [&] {
        scatter_add(x, 1, ids({4}, {1, 1}), zeros({1, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("scatter_add"), HasSubstr("index 4"), HasSubstr("[3, 4]"))));
  EXPECT_THAT([&] { scatter_add(x, 1, ids({0}), zeros({1})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("scatter_add"), HasSubstr("[1]"), HasSubstr("[3, 4]"))));
  EXPECT_THAT(
      [&] {
        scatter_add(x, 1, zeros({4, 1}, kInt64), zeros({4, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("scatter_add"), HasSubstr("[4, 1]"), HasSubstr("[3, 4]"))));
  EXPECT_THAT(
      [&] {
        scatter_add(x, 1, ids({0}, {1, 1}), zeros({1, 1}, kInt64));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("scatter_add"), HasSubstr("int64"), HasSubstr("float32"))));
  EXPECT_THAT(
      [&] {
        scatter_add(x, 1, Tensor(), zeros({1, 1}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("scatter_add"), HasSubstr("undefined"))));
}

// ---- where. ----

TEST(WhereTest, BroadcastsAllThreeOperands) {
  const Tensor condition = tensor({1, 0}, {2, 1});
  const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor r = where(condition, a, scalar(-1));
  EXPECT_THAT(r.shape(), ElementsAre(2, 3));
  EXPECT_THAT(values(r), ElementsAre(1, 2, 3, -1, -1, -1));
  const Tensor cols = where(tensor({0, 1, 0}, {3}, kInt64), a, tensor({10, 20}, {2, 1}));
  EXPECT_THAT(values(cols), ElementsAre(10, 2, 10, 20, 5, 20));
  const Tensor outer = where(tensor({1, 0, 1}, {3, 1}, kFloat64), tensor({7, 8}), scalar(0));
  EXPECT_THAT(outer.shape(), ElementsAre(3, 2));
  EXPECT_THAT(values(outer), ElementsAre(7, 8, 0, 0, 7, 8));
  EXPECT_THAT(where(scalar(1), scalar(2), scalar(3)).shape(), IsEmpty());
  EXPECT_THAT(where(zeros({0, 1}), zeros({3}), zeros({3})).shape(), ElementsAre(0, 3));
}

TEST(WhereTest, ConditionDTypesAndValues) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Any non-zero condition chooses a, NaN included; -0.0 is zero.
  const Tensor c = tensor({0.5, -2, nan, -0.0, 0});
  EXPECT_THAT(values(where(c, ones({5}), zeros({5}))), ElementsAre(1, 1, 1, 0, 0));
  const Tensor i = where(tensor({3, 0}, {2}, kInt64), tensor({1, 2}, {2}, kInt64), tensor({-1, -2}, {2}, kInt64));
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(1, -2));
  // A mask from a comparison, on transposed operands.
  const Tensor x = iota({2, 3}).transpose(0, 1);  // [[0, 3], [1, 4], [2, 5]]
  const Tensor m = where(tensor({1, 0, 0, 1, 1, 0}, {3, 2}), x, x.slice(1, 1, 2));
  EXPECT_THAT(values(m), ElementsAre(0, 3, 4, 4, 2, 5));
}

TEST(WhereTest, LargeInputs) {
  const std::int64_t n = 300 * 300;
  const Tensor a = iota({300, 300});
  const Tensor condition = iota({300, 1}, kInt64);  // row 0 picks b
  const std::vector<float> out = where(condition, a, scalar(-1)).to_vector<float>();
  for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(out[i], i < 300 ? -1.0f : static_cast<float>(i));
}

TEST(WhereTest, Errors) {
  EXPECT_THAT(
      [] { where(ones({2}), zeros({2}), zeros({2}, kFloat64)); },
      ThrowsMessage<Error>(AllOf(HasSubstr("where"), HasSubstr("float32"), HasSubstr("float64"), HasSubstr("[2]"))));
  EXPECT_THAT([] { where(ones({3}), zeros({2}), zeros({2})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("where"), HasSubstr("[3]"), HasSubstr("[2]"))));
  EXPECT_THAT(
      [] {
        where(ones({2}), zeros({2, 3}), zeros({4}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("where"), HasSubstr("[2, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT([] { where(Tensor(), zeros({2}), zeros({2})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("where"), HasSubstr("undefined"))));
}

// ---- one_hot. ----

TEST(OneHotTest, Vectors) {
  const Tensor h = one_hot(ids({0, 2, 1}), 3);
  EXPECT_EQ(h.dtype(), kFloat32);
  EXPECT_THAT(h.shape(), ElementsAre(3, 3));
  EXPECT_THAT(values(h), ElementsAre(1, 0, 0, 0, 0, 1, 0, 1, 0));
  const Tensor h2 = one_hot(ids({3, 0, 1, 3}, {2, 2}), 4, kInt64);
  EXPECT_EQ(h2.dtype(), kInt64);
  EXPECT_THAT(h2.shape(), ElementsAre(2, 2, 4));
  EXPECT_THAT(h2.to_vector<std::int64_t>(), ElementsAre(0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1));
  EXPECT_THAT(one_hot(ids({}), 5).shape(), ElementsAre(0, 5));
  const Tensor s = one_hot(ids({1}, {}), 2, kFloat64);
  EXPECT_THAT(s.shape(), ElementsAre(2));
  EXPECT_THAT(values(s), ElementsAre(0, 1));
  // Labels [[0, 0], [1, 1]] read transposed: [[0, 1], [0, 1]].
  EXPECT_THAT(values(one_hot(ids({0, 0, 1, 1}, {2, 2}).transpose(0, 1), 2)), ElementsAre(1, 0, 0, 1, 1, 0, 0, 1));
}

TEST(OneHotTest, Errors) {
  EXPECT_THAT(
      [] {
        one_hot(ids({0, 3}), 3);
      },
      ThrowsMessage<Error>(
          AllOf(HasSubstr("one_hot"), HasSubstr("index 3"), HasSubstr("3 classes"), HasSubstr("[2]"))));
  EXPECT_THAT([] { one_hot(ids({-1}), 3); }, ThrowsMessage<Error>(AllOf(HasSubstr("one_hot"), HasSubstr("-1"))));
  EXPECT_THAT(
      [] {
        one_hot(tensor({0, 1}), 3);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("one_hot"), HasSubstr("int64"), HasSubstr("float32"))));
  EXPECT_THAT([] { one_hot(ids({0}), 0); },
              ThrowsMessage<Error>(AllOf(HasSubstr("one_hot"), HasSubstr("got 0"), HasSubstr("[1]"))));
  EXPECT_THAT([] { one_hot(Tensor(), 2); }, ThrowsMessage<Error>(AllOf(HasSubstr("one_hot"), HasSubstr("undefined"))));
}

TEST(ConcatTest, SizesWhoseSumOverflows) {
  const Tensor a = zeros({0, std::int64_t{1} << 62});
  EXPECT_THAT([&] { concat({a, a}, 1); },
              ThrowsMessage<Error>(HasSubstr("concat: the sizes along axis 1 add up to more than int64 holds")));
}

}  // namespace
}  // namespace nabla
