#include "tensor/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::ThrowsMessage;

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

std::string to_string(const Tensor& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

// 0, 1, ..., n-1 as float32 with the given shape, built without arange.
Tensor iota(const Shape& shape, DType dtype = kFloat32) {
  std::vector<double> data(static_cast<std::size_t>(numel(shape)));
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<double>(i);
  return from_vector(data, shape).astype(dtype);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- Creation. ----

TEST(CreationTest, ZerosIsDenseFloat32ByDefault) {
  const Tensor t = zeros({2, 3});
  EXPECT_TRUE(t.defined());
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_THAT(t.shape(), ElementsAre(2, 3));
  EXPECT_THAT(t.strides(), ElementsAre(3, 1));
  EXPECT_EQ(t.offset(), 0);
  EXPECT_EQ(t.rank(), 2);
  EXPECT_EQ(t.numel(), 6);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_THAT(values(t), ElementsAre(0, 0, 0, 0, 0, 0));
}

TEST(CreationTest, OnesFullAndLike) {
  EXPECT_THAT(values(ones({3}, kInt64)), ElementsAre(1, 1, 1));
  EXPECT_EQ(ones({3}, kInt64).dtype(), kInt64);
  const Tensor f = full({2, 2}, 2.5, kFloat64);
  EXPECT_EQ(f.dtype(), kFloat64);
  EXPECT_THAT(values(f), ElementsAre(2.5, 2.5, 2.5, 2.5));
  EXPECT_THAT(values(full({2}, -7, kInt64)), ElementsAre(-7, -7));
  const Tensor z = zeros_like(f);
  EXPECT_EQ(z.dtype(), kFloat64);
  EXPECT_THAT(z.shape(), ElementsAre(2, 2));
  EXPECT_THAT(values(z), ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(values(ones_like(f)), ElementsAre(1, 1, 1, 1));
}

TEST(CreationTest, FullOfAnUnrepresentableInt64Throws) {
  EXPECT_THAT([] { full({2}, kNaN, kInt64); },
              ThrowsMessage<Error>(AllOf(HasSubstr("full"), HasSubstr("int64"), HasSubstr("[2]"))));
  EXPECT_THAT([] { full({3}, kInf, kInt64); }, ThrowsMessage<Error>(AllOf(HasSubstr("full"), HasSubstr("[3]"))));
  EXPECT_THAT([] { scalar(1e19, kInt64); }, ThrowsMessage<Error>(HasSubstr("int64")));
}

TEST(CreationTest, ZeroSizeTensors) {
  const Tensor t = zeros({2, 0, 3});
  EXPECT_EQ(t.numel(), 0);
  EXPECT_THAT(values(t), IsEmpty());
  EXPECT_THAT(values(tensor({})), IsEmpty());
  EXPECT_THAT(tensor({}).shape(), ElementsAre(0));
}

TEST(CreationTest, NegativeSizeThrowsWithShape) {
  EXPECT_THAT([] { empty({2, -1}); }, ThrowsMessage<Error>(HasSubstr("[2, -1]")));
  EXPECT_THAT([] { zeros({-3}); }, ThrowsMessage<Error>(HasSubstr("[-3]")));
}

// Storage of 1 KiB and more is kept when released and handed out again for
// the same size, the block released last first (it is the one still in cache).
// An empty tensor's strides still multiply its other sizes: a crafted
// file's header asking for [0, 2^32, 2^32] must not wrap them.
TEST(CreationTest, EmptyShapeWithOverflowingStridesThrows) {
  const std::int64_t big = std::int64_t{1} << 32;
  EXPECT_THAT([&] { Tensor({0, big, big}, kFloat32); }, ThrowsMessage<Error>(HasSubstr("is too large")));
  EXPECT_THAT([&] { empty({0}, kFloat32).reshape({0, big, big}); }, ThrowsMessage<Error>(HasSubstr("is too large")));
}

TEST(CreationTest, ReleasedStorageIsReusedForTheSameSize) {
  const void* first = nullptr;
  const void* second = nullptr;
  {
    const Tensor a = empty({1000});
    const Tensor b = empty({1000});
    first = a.data<float>();
    second = b.data<float>();
  }  // b is released first, then a
  const Tensor again = empty({1000});
  const Tensor after = empty({1000});
  EXPECT_EQ(again.data<float>(), first);
  EXPECT_EQ(after.data<float>(), second);
}

TEST(CreationTest, Arange) {
  EXPECT_THAT(values(arange(0, 5)), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(arange(0, 5).shape(), ElementsAre(5));
  EXPECT_THAT(values(arange(1, 2, 0.25)), ElementsAre(1, 1.25, 1.5, 1.75));
  EXPECT_THAT(values(arange(5, 0, -2)), ElementsAre(5, 3, 1));
  EXPECT_THAT(values(arange(0, 0)), IsEmpty());
  EXPECT_THAT(arange(3, 0).shape(), ElementsAre(0));
  const Tensor i = arange(-2, 2, 1, kInt64);
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(-2, -1, 0, 1));
  EXPECT_THAT(values(arange(0, 1, 0.5, kFloat64)), ElementsAre(0, 0.5));
}

TEST(CreationTest, ArangeBadArgumentsThrow) {
  EXPECT_THAT([] { arange(0, 5, 0); }, ThrowsMessage<Error>(HasSubstr("arange")));
  EXPECT_THAT([] { arange(0, kInf); }, ThrowsMessage<Error>(HasSubstr("arange")));
  EXPECT_THAT([] { arange(kNaN, 3); }, ThrowsMessage<Error>(HasSubstr("arange")));
}

TEST(CreationTest, TensorFromValues) {
  const Tensor t = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_THAT(t.shape(), ElementsAre(2, 3));
  EXPECT_EQ(t.at({0, 0}), 1);
  EXPECT_EQ(t.at({0, 2}), 3);
  EXPECT_EQ(t.at({1, 0}), 4);
  EXPECT_EQ(t.at({1, 2}), 6);
  EXPECT_THAT(tensor({1, 2, 3}).shape(), ElementsAre(3));
  EXPECT_THAT(tensor({1, 2, 3, 4}, {-1, 2}).shape(), ElementsAre(2, 2));
  const Tensor i = tensor({0, 2, 1}, {3}, kInt64);
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(0, 2, 1));
  EXPECT_EQ(tensor({0.1}, {1}, kFloat64).item(), 0.1);
}

TEST(CreationTest, TensorWithWrongCountThrows) {
  EXPECT_THAT([] { tensor({1, 2, 3}, {2, 2}); }, ThrowsMessage<Error>(AllOf(HasSubstr("[2, 2]"), HasSubstr("3"))));
}

TEST(CreationTest, FromVectorTakesTheElementType) {
  const Tensor f = from_vector(std::vector<float>{1.5f, 2.5f});
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(1.5f, 2.5f));
  const Tensor d = from_vector(std::vector<double>{0.1, 0.2, 0.3, 0.4}, {2, 2});
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_THAT(d.shape(), ElementsAre(2, 2));
  EXPECT_THAT(d.to_vector<double>(), ElementsAre(0.1, 0.2, 0.3, 0.4));
  // Beyond 2^53, so a detour through double would lose the low bit.
  const std::int64_t big = (std::int64_t{1} << 60) + 1;
  const Tensor i = from_vector(std::vector<std::int64_t>{big, -big});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(big, -big));
}

TEST(CreationTest, ScalarIsZeroDimensional) {
  const Tensor s = scalar(3.5);
  EXPECT_EQ(s.rank(), 0);
  EXPECT_THAT(s.shape(), IsEmpty());
  EXPECT_EQ(s.numel(), 1);
  EXPECT_TRUE(s.is_contiguous());
  EXPECT_EQ(s.item(), 3.5);
  EXPECT_EQ(scalar(-4, kInt64).item(), -4);
  EXPECT_EQ(scalar(-4, kInt64).dtype(), kInt64);
}

// ---- DType. ----

TEST(DTypeTest, NamesSizesAndKinds) {
  EXPECT_STREQ(dtype_name(kFloat32), "float32");
  EXPECT_STREQ(dtype_name(kFloat64), "float64");
  EXPECT_STREQ(dtype_name(kInt64), "int64");
  EXPECT_EQ(dtype_size(kFloat32), 4u);
  EXPECT_EQ(dtype_size(kFloat64), 8u);
  EXPECT_EQ(dtype_size(kInt64), 8u);
  EXPECT_TRUE(is_floating(kFloat32));
  EXPECT_TRUE(is_floating(kFloat64));
  EXPECT_FALSE(is_floating(kInt64));
  std::ostringstream out;
  out << kInt64;
  EXPECT_EQ(out.str(), "int64");
  static_assert(dtype_of<float>() == kFloat32);
  static_assert(dtype_of<double>() == kFloat64);
  static_assert(dtype_of<std::int64_t>() == kInt64);
}

TEST(DTypeTest, DataWithTheWrongTypeThrows) {
  const Tensor t = zeros({2});
  EXPECT_NE(t.data<float>(), nullptr);
  EXPECT_THAT([&] { t.data<double>(); }, ThrowsMessage<Error>(AllOf(HasSubstr("data"), HasSubstr("float32"),
                                                                    HasSubstr("float64"), HasSubstr("[2]"))));
}

TEST(DTypeTest, DispatchFloatingRejectsInt64) {
  EXPECT_EQ(dispatch_floating("op", kFloat64, [](auto tag) { return sizeof(tag); }), 8u);
  EXPECT_THAT([] { dispatch_floating("myop", kInt64, [](auto tag) { return sizeof(tag); }); },
              ThrowsMessage<Error>(AllOf(HasSubstr("myop"), HasSubstr("int64"))));
}

// ---- Views. ----

TEST(ViewTest, ReshapeOfDenseTensorIsAView) {
  Tensor x = iota({2, 3});
  Tensor y = x.reshape({3, 2});
  EXPECT_THAT(y.shape(), ElementsAre(3, 2));
  EXPECT_THAT(y.strides(), ElementsAre(2, 1));
  EXPECT_TRUE(y.shares_storage_with(x));
  EXPECT_THAT(values(y), ElementsAre(0, 1, 2, 3, 4, 5));
  y.fill_(7);
  EXPECT_THAT(values(x), ElementsAre(7, 7, 7, 7, 7, 7));
}

TEST(ViewTest, ReshapeInfersMinusOne) {
  const Tensor x = iota({2, 3, 4});
  EXPECT_THAT(x.reshape({-1}).shape(), ElementsAre(24));
  EXPECT_THAT(x.reshape({4, -1}).shape(), ElementsAre(4, 6));
  EXPECT_THAT(x.reshape({-1, 2, 3}).shape(), ElementsAre(4, 2, 3));
  EXPECT_THAT(zeros({0, 3}).reshape({-1, 3}).shape(), ElementsAre(0, 3));
  EXPECT_THAT(scalar(5).reshape({1, 1}).shape(), ElementsAre(1, 1));
  EXPECT_THAT(iota({1, 1}).reshape({}).shape(), IsEmpty());
}

TEST(ViewTest, ReshapeErrorsNameBothShapes) {
  const Tensor x = iota({2, 3});
  EXPECT_THAT(
      [&] {
        x.reshape({4, 2});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("reshape"), HasSubstr("[2, 3]"), HasSubstr("[4, 2]"))));
  EXPECT_THAT(
      [&] {
        x.reshape({4, -1});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("reshape"), HasSubstr("[2, 3]"), HasSubstr("[4, -1]"))));
  EXPECT_THAT([&] { x.reshape({-1, -1}); }, ThrowsMessage<Error>(HasSubstr("[-1, -1]")));
  EXPECT_THAT([&] { x.reshape({-2, -3}); }, ThrowsMessage<Error>(HasSubstr("[-2, -3]")));
}

TEST(ViewTest, ReshapeOfNonContiguousTensorCopies) {
  Tensor x = iota({2, 3});
  Tensor t = x.transpose(0, 1);  // [[0, 3], [1, 4], [2, 5]]
  ASSERT_FALSE(t.is_contiguous());
  Tensor r = t.reshape({6});
  EXPECT_FALSE(r.shares_storage_with(x));
  EXPECT_TRUE(r.is_contiguous());
  EXPECT_THAT(values(r), ElementsAre(0, 3, 1, 4, 2, 5));
  r.fill_(-1);
  EXPECT_THAT(values(x), ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST(ViewTest, ReshapeOfAnOffsetViewKeepsTheOffset) {
  const Tensor x = iota({3, 4});
  const Tensor row = x.select(0, 2);  // dense, offset 8
  EXPECT_EQ(row.offset(), 8);
  const Tensor r = row.reshape({2, 2});
  EXPECT_TRUE(r.shares_storage_with(x));
  EXPECT_THAT(values(r), ElementsAre(8, 9, 10, 11));
}

TEST(ViewTest, Flatten) {
  const Tensor x = iota({2, 3, 4});
  EXPECT_THAT(x.flatten().shape(), ElementsAre(24));
  EXPECT_THAT(x.flatten(1).shape(), ElementsAre(2, 12));
  EXPECT_THAT(x.flatten(0, 1).shape(), ElementsAre(6, 4));
  EXPECT_THAT(x.flatten(-2, -1).shape(), ElementsAre(2, 12));
  EXPECT_THAT(x.flatten(1, 1).shape(), ElementsAre(2, 3, 4));
  EXPECT_THAT(scalar(2).flatten().shape(), ElementsAre(1));
  EXPECT_EQ(values(x.transpose(0, 2).flatten()).front(), 0);
  EXPECT_EQ(values(x.transpose(0, 2).flatten())[1], 12);
  EXPECT_THAT([&] { x.flatten(2, 1); }, ThrowsMessage<Error>(AllOf(HasSubstr("flatten"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([&] { x.flatten(0, 3); }, ThrowsMessage<Error>(AllOf(HasSubstr("flatten"), HasSubstr("[2, 3, 4]"))));
}

TEST(ViewTest, TransposeSwapsShapeAndStrides) {
  Tensor x = iota({2, 3});
  Tensor t = x.transpose(0, 1);
  EXPECT_THAT(t.shape(), ElementsAre(3, 2));
  EXPECT_THAT(t.strides(), ElementsAre(1, 3));
  EXPECT_TRUE(t.shares_storage_with(x));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_THAT(values(t), ElementsAre(0, 3, 1, 4, 2, 5));
  EXPECT_THAT(values(x.transpose(-1, -2)), ElementsAre(0, 3, 1, 4, 2, 5));
  EXPECT_THAT(values(x.transpose(1, 1)), ElementsAre(0, 1, 2, 3, 4, 5));
  t.select(0, 2).fill_(9);  // column 2 of x
  EXPECT_THAT(values(x), ElementsAre(0, 1, 9, 3, 4, 9));
  EXPECT_THAT([&] { x.transpose(0, 2); }, ThrowsMessage<Error>(AllOf(HasSubstr("transpose"), HasSubstr("[2, 3]"))));
}

TEST(ViewTest, Permute) {
  const Tensor x = iota({2, 3, 4});
  const Tensor p = x.permute({2, 0, 1});
  EXPECT_THAT(p.shape(), ElementsAre(4, 2, 3));
  EXPECT_THAT(p.strides(), ElementsAre(1, 12, 4));
  for (std::int64_t i = 0; i < 2; ++i) {
    for (std::int64_t j = 0; j < 3; ++j) {
      for (std::int64_t k = 0; k < 4; ++k) EXPECT_EQ(p.at({k, i, j}), static_cast<double>(i * 12 + j * 4 + k));
    }
  }
  EXPECT_THAT(x.permute({-1, 0, 1}).shape(), ElementsAre(4, 2, 3));
  EXPECT_THAT(
      [&] {
        x.permute({0, 0, 1});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("permute"), HasSubstr("repeated"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([&] { x.permute({0, 1}); }, ThrowsMessage<Error>(AllOf(HasSubstr("permute"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([&] { x.permute({0, 1, 3}); }, ThrowsMessage<Error>(AllOf(HasSubstr("permute"), HasSubstr("[2, 3, 4]"))));
}

TEST(ViewTest, SliceWithSteps) {
  const Tensor x = iota({10});
  const Tensor s = x.slice(0, 2, 8, 2);
  EXPECT_THAT(s.shape(), ElementsAre(3));
  EXPECT_THAT(s.strides(), ElementsAre(2));
  EXPECT_EQ(s.offset(), 2);
  EXPECT_TRUE(s.shares_storage_with(x));
  EXPECT_THAT(values(s), ElementsAre(2, 4, 6));
  EXPECT_THAT(values(x.slice(0, 1, 10, 3)), ElementsAre(1, 4, 7));
  EXPECT_THAT(values(x.slice(0, 0, 10, 4)), ElementsAre(0, 4, 8));
  EXPECT_THAT(values(x.slice(0, 0, 9, 4)), ElementsAre(0, 4, 8));
  EXPECT_THAT(values(x.slice(0, 0, 8, 4)), ElementsAre(0, 4));
  EXPECT_THAT(values(x.slice(0, 3, 4)), ElementsAre(3));
}

TEST(ViewTest, SliceNegativeAndClampedBounds) {
  const Tensor x = iota({10});
  EXPECT_THAT(values(x.slice(0, -3, 10)), ElementsAre(7, 8, 9));
  EXPECT_THAT(values(x.slice(0, -3, -1)), ElementsAre(7, 8));
  EXPECT_THAT(values(x.slice(0, 8, 100)), ElementsAre(8, 9));
  EXPECT_THAT(values(x.slice(0, -100, 2)), ElementsAre(0, 1));
  EXPECT_THAT(x.slice(0, 6, 3).shape(), ElementsAre(0));
  EXPECT_THAT(x.slice(0, 12, 20).shape(), ElementsAre(0));
  EXPECT_THAT(x.slice(0, 5, 5).shape(), ElementsAre(0));
  EXPECT_THAT([&] { x.slice(0, 0, 5, 0); }, ThrowsMessage<Error>(AllOf(HasSubstr("slice"), HasSubstr("[10]"))));
  EXPECT_THAT([&] { x.slice(0, 0, 5, -1); }, ThrowsMessage<Error>(HasSubstr("slice")));
  EXPECT_THAT([&] { x.slice(1, 0, 5); }, ThrowsMessage<Error>(AllOf(HasSubstr("slice"), HasSubstr("[10]"))));
}

TEST(ViewTest, SliceInnerAxisAndSliceOfSlice) {
  const Tensor x = iota({3, 5});
  const Tensor s = x.slice(1, 1, 5, 2);  // columns 1 and 3
  EXPECT_THAT(s.shape(), ElementsAre(3, 2));
  EXPECT_THAT(s.strides(), ElementsAre(5, 2));
  EXPECT_THAT(values(s), ElementsAre(1, 3, 6, 8, 11, 13));
  const Tensor ss = s.slice(0, 1, 3).slice(1, 1, 2);
  EXPECT_THAT(ss.shape(), ElementsAre(2, 1));
  EXPECT_THAT(values(ss), ElementsAre(8, 13));
  EXPECT_THAT(values(x.slice(-1, -2, 5)), ElementsAre(3, 4, 8, 9, 13, 14));
}

TEST(ViewTest, Select) {
  const Tensor x = iota({3, 4});
  const Tensor row = x.select(0, 1);
  EXPECT_THAT(row.shape(), ElementsAre(4));
  EXPECT_THAT(values(row), ElementsAre(4, 5, 6, 7));
  const Tensor column = x.select(1, -1);
  EXPECT_THAT(values(column), ElementsAre(3, 7, 11));
  EXPECT_EQ(x.select(0, 2).select(0, 3).item(), 11);
  EXPECT_THAT(x.select(0, 2).select(0, 3).shape(), IsEmpty());
  EXPECT_THAT([&] { x.select(0, 3); }, ThrowsMessage<Error>(AllOf(HasSubstr("select"), HasSubstr("[3, 4]"))));
  EXPECT_THAT([&] { x.select(1, -5); }, ThrowsMessage<Error>(AllOf(HasSubstr("select"), HasSubstr("[3, 4]"))));
}

TEST(ViewTest, BroadcastTo) {
  const Tensor row = tensor({1, 2, 3});
  const Tensor b = row.broadcast_to({2, 3});
  EXPECT_THAT(b.shape(), ElementsAre(2, 3));
  EXPECT_THAT(b.strides(), ElementsAre(0, 1));
  EXPECT_TRUE(b.shares_storage_with(row));
  EXPECT_THAT(values(b), ElementsAre(1, 2, 3, 1, 2, 3));
  const Tensor column = tensor({1, 2, 3}, {3, 1});
  EXPECT_THAT(values(column.broadcast_to({2, 3, 2})), ElementsAre(1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3));
  EXPECT_THAT(values(scalar(4).broadcast_to({2, 2})), ElementsAre(4, 4, 4, 4));
  EXPECT_THAT(tensor({1}).broadcast_to({0}).shape(), ElementsAre(0));
  EXPECT_THAT([&] { row.broadcast_to({4}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("broadcast_to"), HasSubstr("[3]"), HasSubstr("[4]"))));
  EXPECT_THAT([&] { tensor({1}).broadcast_to({-1}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("broadcast_to"), HasSubstr("[-1]"))));
  EXPECT_THAT([&] { column.broadcast_to({3}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("broadcast_to"), HasSubstr("[3, 1]"), HasSubstr("[3]"))));
  // 2^124 elements: no count holds them; with a 0 among the sizes there are none.
  const std::int64_t huge = std::int64_t{1} << 62;
  EXPECT_THAT([&] { tensor({1}).broadcast_to({huge, huge}); },
              ThrowsMessage<Error>(HasSubstr("broadcast_to: shape [4611686018427387904, 4611686018427387904] has "
                                             "more elements than int64 counts")));
  const Tensor none = tensor({1}).broadcast_to({0, huge, huge});
  EXPECT_EQ(none.numel(), 0);
  EXPECT_THAT([&] { none.flatten(1); },
              ThrowsMessage<Error>(HasSubstr("flatten: the sizes of axes 1 to -1 of shape [0, 4611686018427387904, "
                                             "4611686018427387904] multiply past 64 bits")));
}

TEST(ViewTest, SqueezeAndUnsqueeze) {
  const Tensor x = iota({1, 3});
  EXPECT_THAT(x.squeeze(0).shape(), ElementsAre(3));
  EXPECT_THAT(x.squeeze(-2).shape(), ElementsAre(3));
  EXPECT_THAT(values(x.squeeze(0)), ElementsAre(0, 1, 2));
  EXPECT_THAT([&] { x.squeeze(1); }, ThrowsMessage<Error>(AllOf(HasSubstr("squeeze"), HasSubstr("[1, 3]"))));
  const Tensor y = iota({2, 3});
  EXPECT_THAT(y.unsqueeze(0).shape(), ElementsAre(1, 2, 3));
  EXPECT_THAT(y.unsqueeze(1).shape(), ElementsAre(2, 1, 3));
  EXPECT_THAT(y.unsqueeze(2).shape(), ElementsAre(2, 3, 1));
  EXPECT_THAT(y.unsqueeze(-1).shape(), ElementsAre(2, 3, 1));
  EXPECT_THAT(y.unsqueeze(-3).shape(), ElementsAre(1, 2, 3));
  EXPECT_THAT(scalar(1).unsqueeze(0).shape(), ElementsAre(1));
  EXPECT_TRUE(y.unsqueeze(1).is_contiguous());
  EXPECT_THAT(values(y.unsqueeze(1)), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(values(y.transpose(0, 1).unsqueeze(1)), ElementsAre(0, 3, 1, 4, 2, 5));
  EXPECT_THAT([&] { y.unsqueeze(3); }, ThrowsMessage<Error>(AllOf(HasSubstr("unsqueeze"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { y.unsqueeze(-4); }, ThrowsMessage<Error>(AllOf(HasSubstr("unsqueeze"), HasSubstr("[2, 3]"))));
}

TEST(ViewTest, DimAndNegativeAxes) {
  const Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(x.dim(0), 2);
  EXPECT_EQ(x.dim(-1), 4);
  EXPECT_THAT([&] { x.dim(3); }, ThrowsMessage<Error>(HasSubstr("[2, 3, 4]")));
}

// ---- Copies. ----

TEST(CopyTest, ContiguousReturnsDenseTensorsThemselves) {
  const Tensor x = iota({2, 3});
  EXPECT_TRUE(x.contiguous().shares_storage_with(x));
  const Tensor t = x.transpose(0, 1).contiguous();
  EXPECT_FALSE(t.shares_storage_with(x));
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_THAT(t.strides(), ElementsAre(2, 1));
  EXPECT_THAT(values(t), ElementsAre(0, 3, 1, 4, 2, 5));
  // Size-1 dimensions may carry any stride and still be dense.
  const Tensor row = iota({3, 1}).transpose(0, 1);  // [1, 3] with strides [1, 1]
  EXPECT_TRUE(row.is_contiguous());
  EXPECT_TRUE(row.contiguous().shares_storage_with(row));
  EXPECT_FALSE(x.select(1, 1).is_contiguous());
  EXPECT_TRUE(x.slice(0, 1, 2).is_contiguous());
  // A tensor without elements is dense, whatever its strides.
  EXPECT_TRUE(zeros({2, 0, 3}).is_contiguous());
  EXPECT_TRUE(zeros({0, 3}).transpose(0, 1).is_contiguous());
  const Tensor empty_view = zeros({2, 0, 3});
  EXPECT_TRUE(empty_view.contiguous().shares_storage_with(empty_view));
  EXPECT_FALSE(x.slice(1, 0, 2).is_contiguous());
}

TEST(MemoryFormatTest, ChannelsLastKeepsTheChannelsInnermost) {
  const Tensor x = empty({2, 3, 4, 5}, kFloat32, MemoryFormat::kChannelsLast);
  EXPECT_THAT(x.shape(), ElementsAre(2, 3, 4, 5));
  EXPECT_THAT(x.strides(), ElementsAre(60, 1, 15, 3));  // NHWC: C=1, W=3, H=15, N=60
  EXPECT_TRUE(x.is_contiguous(MemoryFormat::kChannelsLast));
  EXPECT_FALSE(x.is_contiguous());
  EXPECT_FALSE(x.is_contiguous(MemoryFormat::kContiguous));
  EXPECT_EQ(x.suggest_memory_format(), MemoryFormat::kChannelsLast);
  const Tensor row_major = zeros({2, 3, 4, 5});
  EXPECT_FALSE(row_major.is_contiguous(MemoryFormat::kChannelsLast));
  EXPECT_EQ(row_major.suggest_memory_format(), MemoryFormat::kContiguous);
  // One channel: the same bytes in both orders, and row-major is preferred.
  const Tensor gray = zeros({2, 1, 4, 5});
  EXPECT_TRUE(gray.is_contiguous(MemoryFormat::kChannelsLast));
  EXPECT_EQ(gray.suggest_memory_format(), MemoryFormat::kContiguous);
  EXPECT_FALSE(zeros({3, 4}).is_contiguous(MemoryFormat::kChannelsLast));
}

TEST(MemoryFormatTest, ContiguousChannelsLastReordersMemoryNotValues) {
  const Tensor x = iota({2, 3, 2, 2});  // x[n, c, h, w] = 12n + 4c + 2h + w
  const Tensor y = x.contiguous(MemoryFormat::kChannelsLast);
  EXPECT_FALSE(y.shares_storage_with(x));
  EXPECT_THAT(values(y), ElementsAreArray(values(x)));
  EXPECT_EQ(y.at({1, 2, 0, 1}), 21);
  // Memory runs over c fastest, then w, h and n.
  const float* memory = y.data<float>();
  EXPECT_THAT(std::vector<float>(memory, memory + 12), ElementsAre(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11));
  EXPECT_EQ(memory[12], 12);
  EXPECT_TRUE(y.contiguous(MemoryFormat::kChannelsLast).shares_storage_with(y));
  const Tensor back = y.contiguous();
  EXPECT_TRUE(back.is_contiguous());
  EXPECT_THAT(values(back), ElementsAreArray(values(x)));
  EXPECT_TRUE(x.contiguous(MemoryFormat::kContiguous).shares_storage_with(x));
}

// Larger than the transpose's tiles, with ragged edges, both ways.
TEST(MemoryFormatTest, ConversionsPutEveryElementInPlace) {
  const std::int64_t n_size = 3, channels = 37, height = 5, width = 7;
  const Tensor x = iota({n_size, channels, height, width}, kFloat64);  // x[n, c, h, w] = its row-major index
  const Tensor last = x.contiguous(MemoryFormat::kChannelsLast);
  const Tensor back = last.contiguous();
  const double* memory = last.data<double>();
  const double* row_major = back.data<double>();
  for (std::int64_t n = 0; n < n_size; ++n) {
    for (std::int64_t c = 0; c < channels; ++c) {
      for (std::int64_t h = 0; h < height; ++h) {
        for (std::int64_t w = 0; w < width; ++w) {
          const double expected = static_cast<double>(((n * channels + c) * height + h) * width + w);
          ASSERT_EQ(memory[((n * height + h) * width + w) * channels + c], expected);
          ASSERT_EQ(row_major[((n * channels + c) * height + h) * width + w], expected);
        }
      }
    }
  }
}

TEST(MemoryFormatTest, ChannelsLastNeedsFourDimensions) {
  EXPECT_THAT([] { empty({2, 3, 4}, kFloat32, MemoryFormat::kChannelsLast); },
              ThrowsMessage<Error>(HasSubstr("empty: the channels-last format needs a 4-D [N, C, H, W] shape, got [2, 3, 4]")));
  EXPECT_THAT([] { iota({6}).contiguous(MemoryFormat::kChannelsLast); },
              ThrowsMessage<Error>(HasSubstr("contiguous: the channels-last format needs a 4-D [N, C, H, W] shape, got [6]")));
}

TEST(CopyTest, CloneIsIndependent) {
  Tensor x = iota({2, 2});
  Tensor c = x.clone();
  EXPECT_FALSE(c.shares_storage_with(x));
  c.fill_(5);
  EXPECT_THAT(values(x), ElementsAre(0, 1, 2, 3));
  x.fill_(-1);
  EXPECT_THAT(values(c), ElementsAre(5, 5, 5, 5));
  const Tensor ct = iota({2, 3}).transpose(0, 1).clone();
  EXPECT_TRUE(ct.is_contiguous());
  EXPECT_THAT(values(ct), ElementsAre(0, 3, 1, 4, 2, 5));
}

TEST(CopyTest, AstypeConverts) {
  const Tensor f = tensor({1.7, -1.7, 2.5, -0.5, 0, 3});
  const Tensor i = f.astype(kInt64);
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(1, -1, 2, 0, 0, 3));  // truncation toward 0
  const Tensor back = tensor({-3, 4}, {2}, kInt64).astype(kFloat64);
  EXPECT_EQ(back.dtype(), kFloat64);
  EXPECT_THAT(back.to_vector<double>(), ElementsAre(-3, 4));
  const Tensor d = tensor({0.1}, {1}, kFloat64).astype(kFloat32);
  EXPECT_EQ(d.to_vector<float>()[0], 0.1f);
  const Tensor strided = iota({2, 3}).transpose(0, 1).astype(kInt64);
  EXPECT_THAT(strided.to_vector<std::int64_t>(), ElementsAre(0, 3, 1, 4, 2, 5));
  const Tensor big = tensor({9.0e18, -9.0e18}, {2}, kFloat64).astype(kInt64);
  EXPECT_THAT(big.to_vector<std::int64_t>(), ElementsAre(9000000000000000000, -9000000000000000000));
}

TEST(CopyTest, AstypeOfUnrepresentableValuesThrows) {
  EXPECT_THAT(
      [] {
        tensor({1, kNaN, 3}).astype(kInt64);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("astype"), HasSubstr("[3]"), HasSubstr("NaN"))));
  EXPECT_THAT(
      [] {
        tensor({kInf}, {1, 1}, kFloat64).astype(kInt64);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("astype"), HasSubstr("[1, 1]"))));
  EXPECT_THAT([] { tensor({-kInf, 1}).astype(kInt64); }, ThrowsMessage<Error>(HasSubstr("astype")));
  EXPECT_THAT([] { tensor({1e19}, {1}, kFloat64).astype(kInt64); },
              ThrowsMessage<Error>(AllOf(HasSubstr("astype"), HasSubstr("out of int64 range"))));
  EXPECT_THAT([] { tensor({-1e19}).astype(kInt64); }, ThrowsMessage<Error>(HasSubstr("astype")));
  EXPECT_THAT([] { tensor({kNaN}).to_vector<std::int64_t>(); }, ThrowsMessage<Error>(HasSubstr("[1]")));
}

TEST(CopyTest, FillWritesThroughAView) {
  Tensor x = zeros({3, 4}, kInt64);
  x.slice(1, 1, 4, 2).fill_(7);
  EXPECT_THAT(x.to_vector<std::int64_t>(), ElementsAre(0, 7, 0, 7, 0, 7, 0, 7, 0, 7, 0, 7));
  x.select(0, 1).fill_(-2);
  EXPECT_THAT(x.to_vector<std::int64_t>(), ElementsAre(0, 7, 0, 7, -2, -2, -2, -2, 0, 7, 0, 7));
  Tensor s = scalar(0, kFloat64);
  s.fill_(0.25);
  EXPECT_EQ(s.item(), 0.25);
  EXPECT_EQ(&x.fill_(1), &x);
}

// The target is left as it was: nothing is written before the check.
TEST(CopyTest, FillOrCopyInt64WithUnrepresentableValueThrows) {
  Tensor x = full({2}, 5, kInt64);
  EXPECT_THAT([&] { x.fill_(kNaN); }, ThrowsMessage<Error>(AllOf(HasSubstr("fill_"), HasSubstr("[2]"))));
  EXPECT_THAT([&] { x.fill_(1e19); },
              ThrowsMessage<Error>(HasSubstr("fill_: 1e+19 is NaN, infinite or out of int64 range for the tensor of "
                                             "shape [2]")));
  EXPECT_THAT(x.to_vector<std::int64_t>(), ElementsAre(5, 5));
  Tensor y = full({3}, 5, kInt64);
  EXPECT_THAT([&] { y.copy_(tensor({1, kNaN, 3}, {3}, kFloat64)); },
              ThrowsMessage<Error>(HasSubstr("copy_: a value of the float64 tensor of shape [3] is NaN")));
  EXPECT_THAT(y.to_vector<std::int64_t>(), ElementsAre(5, 5, 5));
}

TEST(CopyTest, CopyConvertsAndBroadcasts) {
  Tensor x = zeros({2, 3});
  x.copy_(tensor({1, 2, 3}, {3}, kInt64));
  EXPECT_THAT(values(x), ElementsAre(1, 2, 3, 1, 2, 3));
  x.copy_(tensor({10, 20}, {2, 1}, kFloat64));
  EXPECT_THAT(values(x), ElementsAre(10, 10, 10, 20, 20, 20));
  x.copy_(scalar(-1));
  EXPECT_THAT(values(x), ElementsAre(-1, -1, -1, -1, -1, -1));
  Tensor i = zeros({3}, kInt64);
  i.copy_(tensor({1.9, -1.9, 0.5}));
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(1, -1, 0));
  Tensor y = zeros({3, 2});
  y.transpose(0, 1).copy_(iota({2, 3}));
  EXPECT_THAT(values(y), ElementsAre(0, 3, 1, 4, 2, 5));
}

TEST(CopyTest, CopyFromOverlappingSource) {
  // Shifting right within one storage must read every source element before
  // it is overwritten, as memmove does.
  Tensor x = iota({5});
  x.slice(0, 1, 5).copy_(x.slice(0, 0, 4));
  EXPECT_THAT(values(x), ElementsAre(0, 0, 1, 2, 3));
  Tensor y = iota({5});
  y.slice(0, 0, 4).copy_(y.slice(0, 1, 5));
  EXPECT_THAT(values(y), ElementsAre(1, 2, 3, 4, 4));
  Tensor m = iota({2, 2});
  m.copy_(m.transpose(0, 1));
  EXPECT_THAT(values(m), ElementsAre(0, 2, 1, 3));
  Tensor r = iota({2, 3});
  r.copy_(r.select(0, 1));  // broadcast row 1 over both rows
  EXPECT_THAT(values(r), ElementsAre(3, 4, 5, 3, 4, 5));
}

TEST(CopyTest, CopyErrors) {
  Tensor x = zeros({2, 3});
  EXPECT_THAT(
      [&] {
        x.copy_(zeros({3, 2}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("copy_"), HasSubstr("[3, 2]"), HasSubstr("[2, 3]"))));
  Tensor b = zeros({3}).broadcast_to({2, 3});
  EXPECT_THAT(
      [&] {
        b.copy_(ones({2, 3}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("copy_"), HasSubstr("broadcast"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { b.fill_(1); }, ThrowsMessage<Error>(HasSubstr("[2, 3]")));
  // A broadcast view over a size-1 dimension is a normal target.
  Tensor single = zeros({1}).broadcast_to({1, 1});
  single.copy_(scalar(3));
  EXPECT_EQ(single.item(), 3);
  Tensor i = zeros({2, 3}, kInt64);
  EXPECT_THAT([&] { i.copy_(tensor({kNaN})); }, ThrowsMessage<Error>(AllOf(HasSubstr("copy_"), HasSubstr("[2, 3]"))));
}

// ---- Element access. ----

TEST(AccessTest, ItemAtAndToVector) {
  const Tensor x = iota({2, 3}, kInt64);
  EXPECT_EQ(x.at({1, 2}), 5);
  EXPECT_EQ(x.transpose(0, 1).at({2, 1}), 5);
  EXPECT_EQ(x.select(0, 1).select(0, 0).item(), 3);
  EXPECT_EQ(iota({1, 1, 1}).item(), 0);
  EXPECT_THAT(x.to_vector<double>(), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(x.to_vector<float>(), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(x.transpose(0, 1).to_vector<std::int64_t>(), ElementsAre(0, 3, 1, 4, 2, 5));
  EXPECT_THAT(scalar(2.5).to_vector<double>(), ElementsAre(2.5));
}

TEST(AccessTest, ErrorsNameTheShape) {
  const Tensor x = iota({2, 3});
  EXPECT_THAT([&] { x.item(); }, ThrowsMessage<Error>(AllOf(HasSubstr("item"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { zeros({0}).item(); }, ThrowsMessage<Error>(AllOf(HasSubstr("item"), HasSubstr("[0]"))));
  EXPECT_THAT([&] { x.at({1}); }, ThrowsMessage<Error>(AllOf(HasSubstr("at"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { x.at({2, 0}); }, ThrowsMessage<Error>(AllOf(HasSubstr("at"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { x.at({0, -1}); }, ThrowsMessage<Error>(AllOf(HasSubstr("at"), HasSubstr("[2, 3]"))));
}

// ---- Printing. ----

TEST(PrintTest, SmallTensors) {
  EXPECT_EQ(to_string(tensor({1, 2, 3, 4}, {2, 2})), "tensor([[1, 2],\n        [3, 4]], dtype=float32)");
  EXPECT_EQ(to_string(tensor({0, 1, 2}, {3}, kInt64)), "tensor([0, 1, 2], dtype=int64)");
  EXPECT_EQ(to_string(scalar(2.5)), "tensor(2.5, dtype=float32)");
  EXPECT_EQ(to_string(scalar(1234567, kInt64)), "tensor(1234567, dtype=int64)");
  EXPECT_EQ(to_string(from_vector(std::vector<std::int64_t>{(std::int64_t{1} << 60) + 1}, {})),
            "tensor(1152921504606846977, dtype=int64)");
  EXPECT_EQ(to_string(tensor({1234567}, {1}, kInt64)), "tensor([1234567], dtype=int64)");
  EXPECT_EQ(to_string(tensor({0.5, -1.25}, {2}, kFloat64)), "tensor([0.5, -1.25], dtype=float64)");
  EXPECT_EQ(to_string(zeros({0})), "tensor([], dtype=float32)");
  EXPECT_EQ(to_string(Tensor()), "tensor(undefined)");
  EXPECT_EQ(to_string(iota({2, 1, 2}, kInt64)), "tensor([[[0, 1]],\n        [[2, 3]]], dtype=int64)");
}

TEST(PrintTest, Precision) {
  EXPECT_EQ(to_string(scalar(1.0 / 3.0, kFloat64)), "tensor(0.3333333333, dtype=float64)");
  EXPECT_EQ(to_string(scalar(1.0 / 3.0, kFloat32)), "tensor(0.333333, dtype=float32)");
}

TEST(PrintTest, ViewsPrintTheirOwnElements) {
  EXPECT_EQ(to_string(tensor({1, 2, 3, 4}, {2, 2}).transpose(0, 1)),
            "tensor([[1, 3],\n        [2, 4]], dtype=float32)");
  EXPECT_EQ(to_string(iota({5}, kInt64).slice(0, 1, 5, 2)), "tensor([1, 3], dtype=int64)");
  EXPECT_EQ(to_string(iota({3, 2}, kInt64).select(0, 2)), "tensor([4, 5], dtype=int64)");
}

TEST(PrintTest, LargeTensorsAreSummarised) {
  const std::string flat = to_string(iota({2000}, kInt64));
  EXPECT_EQ(flat, "tensor([0, 1, 2, ..., 1997, 1998, 1999], dtype=int64)");
  const std::string matrix = to_string(iota({100, 20}, kInt64));
  EXPECT_EQ(matrix,
            "tensor([[0, 1, 2, ..., 17, 18, 19],\n"
            "        [20, 21, 22, ..., 37, 38, 39],\n"
            "        [40, 41, 42, ..., 57, 58, 59],\n"
            "        ...,\n"
            "        [1940, 1941, 1942, ..., 1957, 1958, 1959],\n"
            "        [1960, 1961, 1962, ..., 1977, 1978, 1979],\n"
            "        [1980, 1981, 1982, ..., 1997, 1998, 1999]], dtype=int64)");
  // At the threshold nothing is left out.
  const std::string whole = to_string(iota({1000}, kInt64));
  EXPECT_THAT(whole, Not(HasSubstr("...")));
  EXPECT_THAT(whole, HasSubstr(", 500, "));
}

// ---- Undefined tensors. ----

TEST(UndefinedTest, OperationsThrow) {
  Tensor u;
  EXPECT_FALSE(u.defined());
  EXPECT_THAT([&] { u.reshape({1}); }, ThrowsMessage<Error>(AllOf(HasSubstr("reshape"), HasSubstr("undefined"))));
  EXPECT_THAT([&] { u.item(); }, ThrowsMessage<Error>(AllOf(HasSubstr("item"), HasSubstr("undefined"))));
  EXPECT_THAT([&] { u.at({}); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.to_vector<float>(); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.data<float>(); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.transpose(0, 0); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.permute({}); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.slice(0, 0, 1); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.select(0, 0); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.broadcast_to({2}); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.squeeze(0); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.unsqueeze(0); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.flatten(); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.contiguous(); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.clone(); }, ThrowsMessage<Error>(AllOf(HasSubstr("clone"), HasSubstr("undefined"))));
  EXPECT_THAT([&] { u.astype(kInt64); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([&] { u.fill_(1); }, ThrowsMessage<Error>(AllOf(HasSubstr("fill_"), HasSubstr("undefined"))));
  EXPECT_THAT([&] { u.copy_(zeros({})); }, ThrowsMessage<Error>(HasSubstr("undefined")));
  Tensor x = zeros({2});
  EXPECT_THAT([&] { x.copy_(u); }, ThrowsMessage<Error>(AllOf(HasSubstr("copy_"), HasSubstr("undefined"))));
  EXPECT_THAT([&] { zeros_like(u); }, ThrowsMessage<Error>(HasSubstr("undefined")));
}

// ---- Storage. ----

TEST(StorageTest, DataIsAlignedTo64Bytes) {
  for (DType dtype : {kFloat32, kFloat64, kInt64}) {
    for (std::int64_t n : {0, 1, 3, 17, 1000, 1 << 20}) {
      const Tensor t = zeros({n}, dtype);
      const void* data = dispatch(dtype, [&](auto tag) -> const void* { return t.data<decltype(tag)>(); });
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(data) % 64, 0u) << dtype << " n=" << n;
    }
  }
}

TEST(StorageTest, CopiesShareStorage) {
  Tensor a = zeros({2});
  Tensor b = a;
  EXPECT_TRUE(b.shares_storage_with(a));
  b.fill_(3);
  EXPECT_THAT(values(a), ElementsAre(3, 3));
  EXPECT_FALSE(zeros({2}).shares_storage_with(zeros({2})));
}

TEST(StorageTest, FreedStorageIsReusedSafely) {
  // Large blocks may be recycled; a fresh tensor must still be filled as asked.
  for (int round = 0; round < 3; ++round) {
    const Tensor t = full({1 << 19}, round, kFloat32);
    const std::vector<float> v = t.to_vector<float>();
    EXPECT_EQ(v.front(), round);
    EXPECT_EQ(v.back(), round);
  }
}

TEST(TensorTest, ReshapeRejectsSizesWhoseProductOverflows) {
  EXPECT_THAT([] { zeros({4}).reshape({std::int64_t{1} << 32, std::int64_t{1} << 32}); },
              ThrowsMessage<Error>(HasSubstr("reshape: cannot reshape [4] (4 elements) into [4294967296, 4294967296]")));
  EXPECT_THAT([] { zeros({0}).reshape({std::int64_t{1} << 32, -1, std::int64_t{1} << 32}); },
              ThrowsMessage<Error>(HasSubstr("reshape: cannot reshape [0]")));
}

TEST(TensorTest, SliceWithAHugeStep) {
  const Tensor x = arange(0, 12).reshape({3, 4});
  const Tensor one_column = x.slice(1, 0, 4, std::numeric_limits<std::int64_t>::max());
  EXPECT_THAT(one_column.shape(), ElementsAre(3, 1));
  EXPECT_EQ(one_column.to_vector<float>(), (std::vector<float>{0, 4, 8}));
  EXPECT_EQ(x.slice(0, 0, 3, std::int64_t{1} << 62).to_vector<float>(), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_EQ(x.slice(1, 1, 4, 2).to_vector<float>(), (std::vector<float>{1, 3, 5, 7, 9, 11}));
}

TEST(TensorTest, ArangeOfTooManyElementsNamesArange) {
  EXPECT_THAT([] { arange(0, 1e30); }, ThrowsMessage<Error>(HasSubstr("arange: start 0, stop 1e+30 and step 1 give")));
}

TEST(TensorTest, FlattenOfAScalarChecksItsAxes) {
  EXPECT_EQ(scalar(1).flatten(0, -1).shape(), (Shape{1}));
  EXPECT_THAT([] { scalar(1).flatten(7); }, ThrowsMessage<Error>(HasSubstr("flatten")));
}

}  // namespace
}  // namespace nabla
