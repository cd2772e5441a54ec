#include "kernels/internal/onednn.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <string>

namespace nabla::kernels::internal::onednn {
namespace {

PrimitiveKey key(int op, std::int64_t size) { return {static_cast<PrimitiveOp>(op), {size, 3}}; }

TEST(PrimitiveCacheTest, CreatesOncePerKey) {
  PrimitiveCache<std::string> cache(4);
  int created = 0;
  auto make = [&] {
    ++created;
    return std::string("plan");
  };
  const auto first = cache.get(key(1, 8), make);
  const auto again = cache.get(key(1, 8), make);
  EXPECT_EQ(created, 1);
  EXPECT_EQ(first.get(), again.get());
  cache.get(key(2, 8), make);  // another op, same sizes
  cache.get(key(1, 9), make);  // same op, another size
  EXPECT_EQ(created, 3);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(PrimitiveCacheTest, EvictsTheLeastRecentlyUsedBeyondItsCapacity) {
  PrimitiveCache<int> cache(2);
  int created = 0;
  auto make = [&] { return ++created; };
  cache.get(key(0, 1), make);
  cache.get(key(0, 2), make);
  cache.get(key(0, 1), make);  // 1 is now the most recent
  cache.get(key(0, 3), make);  // evicts 2
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(*cache.get(key(0, 1), make), 1);
  EXPECT_EQ(*cache.get(key(0, 3), make), 3);
  EXPECT_EQ(*cache.get(key(0, 2), make), 4);  // made again
  EXPECT_EQ(cache.size(), 2u);
}

TEST(PrimitiveCacheTest, EvictedValuesStayAliveForTheirHolders) {
  PrimitiveCache<std::string> cache(1);
  const auto held = cache.get(key(0, 1), [] { return std::string("first"); });
  cache.get(key(0, 2), [] { return std::string("second"); });
  EXPECT_EQ(*held, "first");
}

TEST(PrimitiveCacheTest, RejectsZeroCapacity) {
  EXPECT_THAT([] { PrimitiveCache<int> cache(0); }, ::testing::ThrowsMessage<Error>(::testing::HasSubstr("capacity")));
}

// 10 floats = 40 bytes; buffer_for rounds up to whole floats.
TEST(BufferTest, FitsOnlyADenseFloat32BufferOfEnoughBytes) {
  const dnnl::memory::desc desc({10}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
  const dnnl::memory::desc bytes({41}, dnnl::memory::data_type::u8, dnnl::memory::format_tag::a);
  EXPECT_EQ(buffer_for(desc).numel(), 10);
  EXPECT_EQ(buffer_for(bytes).numel(), 11);
  EXPECT_TRUE(fits(buffer_for(desc), desc));
  EXPECT_TRUE(fits(zeros({11}), desc));
  EXPECT_FALSE(fits(zeros({9}), desc));
  EXPECT_FALSE(fits(zeros({10}), bytes));
  EXPECT_FALSE(fits(Tensor(), desc));
  EXPECT_FALSE(fits(zeros({10}, kFloat64), desc));
  EXPECT_FALSE(fits(zeros({20}).slice(0, 0, 20, 2), desc));  // strided
}

TEST(LayoutTest, DenseKeepsEitherFormatAndTagOfNamesIt) {
  using Tag = dnnl::memory::format_tag;
  const Tensor row_major = zeros({2, 3, 4, 5});
  const Tensor channels_last = row_major.contiguous(MemoryFormat::kChannelsLast);
  EXPECT_EQ(tag_of(row_major), Tag::nchw);
  EXPECT_EQ(tag_of(channels_last), Tag::nhwc);
  EXPECT_EQ(tag_of(zeros({2, 1, 4, 5})), Tag::nhwc);  // one channel: both layouts, the same bytes
  EXPECT_TRUE(dense(row_major).shares_storage_with(row_major));
  EXPECT_TRUE(dense(channels_last).shares_storage_with(channels_last));
  const Tensor strided = row_major.transpose(2, 3);
  EXPECT_TRUE(dense(strided).is_contiguous());
  EXPECT_FALSE(dense(strided).shares_storage_with(row_major));
}

// On a layout of another ISA's block size oneDNN falls back to its reference
// kernels, 100-200x slower: the channel-blocked layout must get jit ones
// (here batch norm in inference, as batch_norm_onednn.cc runs it).
TEST(LayoutTest, ChannelBlockedTagGetsJitKernels) {
  const dnnl::memory::desc data({8, 32, 6, 6}, dnnl::memory::data_type::f32, channel_blocked_tag());
  const dnnl::batch_normalization_forward::primitive_desc batch_norm(
      {dnnl::prop_kind::forward_inference, data, 1e-5f,
       dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
           dnnl::normalization_flags::use_shift},
      engine());
  EXPECT_THAT(batch_norm.impl_info_str(), testing::HasSubstr("jit"));
  EXPECT_THAT(batch_norm.impl_info_str(), testing::Not(testing::HasSubstr("ref")));
}

// oneDNN fixes a primitive's thread count when it is created, so a plan is
// built afresh for each thread count and reused within one.
TEST(CachedPlanTest, BuildsOnePlanPerThreadCount) {
  const int threads = omp_get_max_threads();
  int builds = 0;
  const auto relu = [&builds] {
    ++builds;
    const dnnl::memory::desc data({17, 3}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
    const dnnl::eltwise_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_relu, data, 0.0f}, engine());
    return Plan{dnnl::eltwise_forward(pd), {}, {}};
  };
  const PrimitiveKey relu_key{PrimitiveOp::kEltwiseForward, {17, 3, 987654321}};
  const auto first = cached_plan(relu_key, "relu", relu);
  EXPECT_EQ(cached_plan(relu_key, "relu", relu), first);
  omp_set_num_threads(threads + 1);
  const auto more_threads = cached_plan(relu_key, "relu", relu);
  EXPECT_EQ(cached_plan(relu_key, "relu", relu), more_threads);
  omp_set_num_threads(threads);
  EXPECT_EQ(cached_plan(relu_key, "relu", relu), first);
  EXPECT_NE(more_threads, first);
  EXPECT_EQ(builds, 2);
}

TEST(PrimitiveKeyTest, EqualKeysHashEqually) {
  EXPECT_EQ(PrimitiveKeyHash()(key(3, 5)), PrimitiveKeyHash()(key(3, 5)));
  EXPECT_FALSE(key(3, 5) == key(3, 6));
  EXPECT_FALSE(key(3, 5) == key(4, 5));
}

}  // namespace
}  // namespace nabla::kernels::internal::onednn
