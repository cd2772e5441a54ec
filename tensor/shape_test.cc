#include "tensor/shape.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tensor/error.h"

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

std::string to_string(const Shape& shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

TEST(ShapeTest, PrintsLikeAList) {
  EXPECT_EQ(to_string({2, 3}), "[2, 3]");
  EXPECT_EQ(to_string({7}), "[7]");
  EXPECT_EQ(to_string({}), "[]");
  EXPECT_EQ(to_string({0, 1, -1}), "[0, 1, -1]");
}

TEST(ShapeTest, ErrorMessagesPrintShapes) {
  EXPECT_EQ(internal::concat_message("op: ", Shape{4, 5}, " and ", 3), "op: [4, 5] and 3");
}

TEST(ShapeTest, CheckMacroThrowsOnlyWhenFalse) {
  EXPECT_NO_THROW(NABLA_CHECK(1 + 1 == 2, "never"));
  EXPECT_THAT(
      [] {
        NABLA_CHECK(false, "op: shape ", Shape{2, 3}, " is bad");
      },
      ThrowsMessage<Error>("op: shape [2, 3] is bad"));
}

TEST(ShapeTest, NumelIsTheProductOfSizes) {
  EXPECT_EQ(numel({}), 1);
  EXPECT_EQ(numel({5}), 5);
  EXPECT_EQ(numel({2, 3, 4}), 24);
  EXPECT_EQ(numel({2, 0, 4}), 0);
}

TEST(ShapeTest, ContiguousStridesAreRowMajor) {
  EXPECT_THAT(contiguous_strides({}), IsEmpty());
  EXPECT_THAT(contiguous_strides({5}), ElementsAre(1));
  EXPECT_THAT(contiguous_strides({2, 3, 4}), ElementsAre(12, 4, 1));
  EXPECT_THAT(contiguous_strides({2, 1, 4}), ElementsAre(4, 4, 1));
  // A size-0 dimension counts as 1 so strides stay positive.
  EXPECT_THAT(contiguous_strides({2, 0, 3}), ElementsAre(3, 3, 1));
}

// Sizes whose product overflows int64 are an error, not a wrapped count or
// negative strides, also when a 0 makes the tensor empty.
TEST(ShapeTest, SizesWhoseProductOverflowsAreRejected) {
  const std::int64_t big = std::int64_t{1} << 32;
  EXPECT_EQ(numel({big, big, 0}), 0);
  EXPECT_EQ(numel({big, big / 2 - 1}), big * (big / 2 - 1));
  EXPECT_THAT([&] { numel({big, big}); }, ThrowsMessage<Error>(HasSubstr("shape [4294967296, 4294967296] is too large")));
  EXPECT_THAT([&] { contiguous_strides({0, big, big}); },
              ThrowsMessage<Error>(HasSubstr("shape [0, 4294967296, 4294967296] is too large")));
}

// The unchecked form of numel for callers that word the overflow error
// themselves: 2^63 does not fit int64, 2^63 - 2^32 does; a 0 after an
// overflow does not undo it.
TEST(ShapeTest, CheckedProductIsEmptyOnOverflow) {
  const std::int64_t big = std::int64_t{1} << 32;
  EXPECT_EQ(checked_product({}), 1);
  EXPECT_EQ(checked_product({2, 3, 4}), 24);
  EXPECT_EQ(checked_product({big, big / 2 - 1}), big * (big / 2 - 1));
  EXPECT_EQ(checked_product({big, big / 2}), std::nullopt);
  EXPECT_EQ(checked_product({big, big, 0}), std::nullopt);
  EXPECT_EQ(checked_product({0, big, big}), 0);
}

TEST(ShapeTest, NormalizeAxisCountsNegativeAxesFromTheEnd) {
  EXPECT_EQ(normalize_axis("op", 0, {2, 3, 4}), 0);
  EXPECT_EQ(normalize_axis("op", 2, {2, 3, 4}), 2);
  EXPECT_EQ(normalize_axis("op", -1, {2, 3, 4}), 2);
  EXPECT_EQ(normalize_axis("op", -3, {2, 3, 4}), 0);
}

TEST(ShapeTest, NormalizeAxisOutOfRangeNamesOpAxisAndShape) {
  EXPECT_THAT(
      [] {
        normalize_axis("sum", 3, {2, 3, 4});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("sum"), HasSubstr("axis 3"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT(
      [] {
        normalize_axis("max", -4, {2, 3, 4});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("max"), HasSubstr("axis -4"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([] { normalize_axis("op", 0, {}); }, ThrowsMessage<Error>(HasSubstr("[]")));
}

TEST(ShapeTest, BroadcastEqualShapes) { EXPECT_THAT(broadcast_shapes("op", {2, 3}, {2, 3}), ElementsAre(2, 3)); }

TEST(ShapeTest, BroadcastSizeOneDimensions) {
  EXPECT_THAT(broadcast_shapes("op", {3, 1}, {1, 4}), ElementsAre(3, 4));
  EXPECT_THAT(broadcast_shapes("op", {45, 65}, {45, 1}), ElementsAre(45, 65));
  EXPECT_THAT(broadcast_shapes("op", {5, 3, 14, 16}, {5, 1, 14, 1}), ElementsAre(5, 3, 14, 16));
}

TEST(ShapeTest, BroadcastAlignsRanksFromTheRight) {
  EXPECT_THAT(broadcast_shapes("op", {2, 3, 4}, {4}), ElementsAre(2, 3, 4));
  EXPECT_THAT(broadcast_shapes("op", {4}, {2, 3, 4}), ElementsAre(2, 3, 4));
  EXPECT_THAT(broadcast_shapes("op", {3, 1}, {2, 1, 5}), ElementsAre(2, 3, 5));
}

TEST(ShapeTest, BroadcastWithScalar) {
  EXPECT_THAT(broadcast_shapes("op", {45, 65}, {}), ElementsAre(45, 65));
  EXPECT_THAT(broadcast_shapes("op", {}, {2}), ElementsAre(2));
  EXPECT_THAT(broadcast_shapes("op", {}, {}), IsEmpty());
}

TEST(ShapeTest, BroadcastZeroSizeDimensions) {
  EXPECT_THAT(broadcast_shapes("op", {0}, {1}), ElementsAre(0));
  EXPECT_THAT(broadcast_shapes("op", {2, 0}, {2, 1}), ElementsAre(2, 0));
  EXPECT_THAT(broadcast_shapes("op", {0, 3}, {3}), ElementsAre(0, 3));
  EXPECT_THAT(broadcast_shapes("op", {0}, {}), ElementsAre(0));
}

TEST(ShapeTest, BroadcastMismatchNamesOpAndBothShapes) {
  EXPECT_THAT(
      [] {
        broadcast_shapes("add", {2, 3}, {4});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("[2, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT([] { broadcast_shapes("mul", {0}, {2}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("mul"), HasSubstr("[0]"), HasSubstr("[2]"))));
}

}  // namespace
}  // namespace nabla
