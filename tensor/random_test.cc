#include "tensor/random.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <vector>

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// MT19937-64 written out from Matsumoto and Nishimura's reference code
// (mt19937-64.c), so the golden values below do not come from the library
// that nabla itself calls.
class ReferenceMt64 {
 public:
  explicit ReferenceMt64(std::uint64_t seed) {
    state_[0] = seed;
    for (index_ = 1; index_ < kN; ++index_) {
      state_[index_] = 6364136223846793005ULL * (state_[index_ - 1] ^ (state_[index_ - 1] >> 62)) + index_;
    }
  }

  std::uint64_t next() {
    constexpr std::uint64_t kMatrixA = 0xB5026F5AA96619E9ULL;
    constexpr std::uint64_t kUpper = 0xFFFFFFFF80000000ULL;
    constexpr std::uint64_t kLower = 0x7FFFFFFFULL;
    auto twist = [&](std::size_t i, std::size_t next, std::size_t far) {
      const std::uint64_t x = (state_[i] & kUpper) | (state_[next] & kLower);
      state_[i] = state_[far] ^ (x >> 1) ^ ((x & 1) ? kMatrixA : 0);
    };
    if (index_ >= kN) {
      for (std::size_t i = 0; i < kN; ++i) twist(i, (i + 1) % kN, (i + kM) % kN);
      index_ = 0;
    }
    std::uint64_t x = state_[index_++];
    x ^= (x >> 29) & 0x5555555555555555ULL;
    x ^= (x << 17) & 0x71D67FFFEDA60000ULL;
    x ^= (x << 37) & 0xFFF7EEE000000000ULL;
    x ^= x >> 43;
    return x;
  }

 private:
  static constexpr std::size_t kN = 312;
  static constexpr std::size_t kM = 156;
  std::array<std::uint64_t, kN> state_;
  std::size_t index_;
};

TEST(ReferenceTest, MatchesTheStandardsCheckValue) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64
  // (seed 5489) is 9981545732273789042.
  ReferenceMt64 reference(5489);
  std::uint64_t value = 0;
  for (int i = 0; i < 10000; ++i) value = reference.next();
  EXPECT_EQ(value, 9981545732273789042ULL);
}

TEST(GeneratorTest, GoldenUniformValuesForSeedZero) {
  ReferenceMt64 reference(0);
  Generator generator(0);
  for (int i = 0; i < 8; ++i) {
    const double expected = static_cast<double>(reference.next() >> 11) * 0x1.0p-53;
    EXPECT_EQ(generator.uniform(), expected) << "draw " << i;
  }
}

TEST(GeneratorTest, GoldenRawValuesForSeedZero) {
  // The first outputs of mt19937_64 seeded with 0, from a third, separate
  // implementation of the reference algorithm.
  const std::uint64_t raw[] = {2947667278772165694ULL, 18301848765998365067ULL, 729919693006235833ULL,
                               11021831128136023278ULL};
  ReferenceMt64 reference(0);
  Generator generator(0);
  for (std::uint64_t r : raw) {
    EXPECT_EQ(reference.next(), r);
    EXPECT_EQ(generator.uniform(), static_cast<double>(r >> 11) * 0x1.0p-53);
  }
  EXPECT_NEAR(Generator(0).uniform(), 0.1597933633704608, 1e-16);
}

TEST(GeneratorTest, GoldenUniformTensorForSeedZero) {
  ReferenceMt64 reference(0);
  Generator generator(0);
  const std::vector<double> got = uniform({4}, -1, 3, generator, kFloat64).to_vector<double>();
  for (int i = 0; i < 4; ++i) {
    const double u = static_cast<double>(reference.next() >> 11) * 0x1.0p-53;
    EXPECT_EQ(got[i], -1 + 4 * u);
  }
}

TEST(GeneratorTest, SameSeedSameNumbers) {
  Generator a(1234), b(1234);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(a.uniform(), b.uniform());
    ASSERT_EQ(a.normal(), b.normal());
    ASSERT_EQ(a.below(1000), b.below(1000));
  }
  Generator c(7), d(7);
  EXPECT_EQ(normal({50}, 0, 1, c).to_vector<float>(), normal({50}, 0, 1, d).to_vector<float>());
  EXPECT_EQ(randperm(50, c).to_vector<std::int64_t>(), randperm(50, d).to_vector<std::int64_t>());
}

TEST(GeneratorTest, ManualSeedResetsTheDefaultGenerator) {
  manual_seed(77);
  const double first = default_generator().uniform();
  const Tensor t = normal({5}, 0, 1, default_generator());
  manual_seed(77);
  EXPECT_EQ(default_generator().uniform(), first);
  EXPECT_EQ(normal({5}, 0, 1, default_generator()).to_vector<float>(), t.to_vector<float>());
  Generator fresh(77);
  EXPECT_EQ(fresh.uniform(), first);
}

TEST(GeneratorTest, DifferentSeedsDiffer) {
  Generator a(1), b(2);
  int equal = 0;
  for (int i = 0; i < 100; ++i) equal += a.uniform() == b.uniform();
  EXPECT_EQ(equal, 0);
  Generator c(1), d(2);
  EXPECT_NE(uniform({20}, 0, 1, c).to_vector<double>(), uniform({20}, 0, 1, d).to_vector<double>());
}

double mean_of(const std::vector<double>& v) {
  double total = 0;
  for (double x : v) total += x;
  return total / static_cast<double>(v.size());
}

double stddev_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double total = 0;
  for (double x : v) total += (x - m) * (x - m);
  return std::sqrt(total / static_cast<double>(v.size()));
}

TEST(UniformTest, RangeAndMean) {
  Generator generator(3);
  const Tensor t = uniform({100000}, -2, 3, generator);
  EXPECT_EQ(t.dtype(), kFloat32);
  const std::vector<double> v = t.to_vector<double>();
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -2.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 3.0);
  // Standard error of the mean: 5 / sqrt(12) / sqrt(1e5) ~ 0.0046.
  EXPECT_NEAR(mean_of(v), 0.5, 0.03);
  EXPECT_NEAR(stddev_of(v), 5 / std::sqrt(12.0), 0.03);
  const Tensor d = uniform({2, 3}, 0, 1, generator, kFloat64);
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_THAT(d.shape(), ElementsAre(2, 3));
  Generator g(4);
  for (int i = 0; i < 10000; ++i) {
    const double u = g.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  EXPECT_EQ(uniform({3}, 2, 2, generator).to_vector<double>(), std::vector<double>(3, 2.0));
}

TEST(UniformTest, RoundingNeverReachesHigh) {
  // 1e8 and 1e8 + 8 are neighbouring float32 values: low + 8u rounds to high
  // for about half of all draws unless the generator keeps [low, high) open.
  Generator generator(10);
  const std::vector<float> v = uniform({1000}, 1e8, 1e8 + 8, generator).to_vector<float>();
  for (float x : v) ASSERT_EQ(x, 1e8f);
  const std::vector<double> d = uniform({1000}, 0, 1e-300, generator, kFloat64).to_vector<double>();
  for (double x : d) {
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1e-300);
  }
}

// As PyTorch's uniform_, which checks both bounds against the dtype's range
// and their distance against its largest value: here uniform(0, inf) gave
// float32's largest value, uniform(-inf, inf) NaN turned into it, and bounds
// beyond float32 gave infinities.
TEST(UniformTest, BoundsOrSpansTheDTypeCannotHoldThrow) {
  Generator generator(11);
  const double inf = std::numeric_limits<double>::infinity();
  const double largest32 = std::numeric_limits<float>::max();
  const double largest64 = std::numeric_limits<double>::max();
  for (auto [low, high, dtype] : {std::tuple{0.0, inf, kFloat32}, std::tuple{-inf, inf, kFloat64},
                                  std::tuple{-1e300, 1e300, kFloat32}, std::tuple{1e39, 1e39, kFloat32},
                                  std::tuple{-largest32, largest32, kFloat32},
                                  std::tuple{-largest64, largest64, kFloat64}}) {
    SCOPED_TRACE(testing::Message() << low << " " << high << " " << dtype);
    EXPECT_THAT([&] { uniform({2, 3}, low, high, generator, dtype); },
                ThrowsMessage<Error>(AllOf(HasSubstr("uniform"), HasSubstr(dtype_name(dtype)), HasSubstr("[2, 3]"))));
  }
  // The widest spans that fit.
  for (double x : uniform({100}, -largest32 / 2, largest32 / 2, generator).to_vector<double>()) {
    ASSERT_TRUE(x >= -largest32 / 2 && x < largest32 / 2) << x;
  }
  for (double x : uniform({100}, 0, largest64, generator, kFloat64).to_vector<double>()) {
    ASSERT_TRUE(x >= 0 && x < largest64) << x;
  }
}

TEST(NormalTest, MeanAndStandardDeviation) {
  Generator generator(5);
  const std::vector<double> v = normal({100000}, 1.5, 2.0, generator, kFloat64).to_vector<double>();
  // Standard errors: 2 / sqrt(1e5) ~ 0.0063 for the mean, ~0.0045 for the std.
  EXPECT_NEAR(mean_of(v), 1.5, 0.04);
  EXPECT_NEAR(stddev_of(v), 2.0, 0.03);
  // About 68.3% within one standard deviation.
  const auto within = std::count_if(v.begin(), v.end(), [](double x) { return std::abs(x - 1.5) < 2.0; });
  EXPECT_NEAR(static_cast<double>(within) / 100000, 0.6827, 0.01);
  Generator g(6);
  std::vector<double> draws;
  for (int i = 0; i < 100001; ++i) draws.push_back(g.normal());  // odd count: uses a spare
  EXPECT_NEAR(mean_of(draws), 0, 0.02);
  EXPECT_NEAR(stddev_of(draws), 1, 0.02);
  for (double x : draws) ASSERT_TRUE(std::isfinite(x));
}

TEST(BelowTest, RangeAndRoughUniformity) {
  Generator generator(8);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const std::int64_t k = generator.below(10);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 10);
    ++counts[k];
  }
  // Expected 10000 each, standard deviation ~95.
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
  EXPECT_EQ(generator.below(1), 0);
  const std::int64_t huge = (std::int64_t{1} << 62) + 12345;
  for (int i = 0; i < 100; ++i) {
    const std::int64_t k = generator.below(huge);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, huge);
  }
}

TEST(RandpermTest, IsAPermutation) {
  Generator generator(9);
  const Tensor p = randperm(1000, generator);
  EXPECT_EQ(p.dtype(), kInt64);
  EXPECT_THAT(p.shape(), ElementsAre(1000));
  std::vector<std::int64_t> v = p.to_vector<std::int64_t>();
  std::vector<std::int64_t> identity(1000);
  for (int i = 0; i < 1000; ++i) identity[i] = i;
  EXPECT_NE(v, identity);
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, identity);
  EXPECT_THAT(randperm(0, generator).shape(), ElementsAre(0));
  EXPECT_THAT(randperm(1, generator).to_vector<std::int64_t>(), ElementsAre(0));
  // Every position sees every value about equally often.
  std::vector<int> first(4, 0);
  for (int i = 0; i < 4000; ++i) ++first[randperm(4, generator).to_vector<std::int64_t>()[0]];
  for (int c : first) EXPECT_NEAR(c, 1000, 150);
}

TEST(RandomTest, Errors) {
  Generator generator(0);
  EXPECT_THAT([&] { generator.below(0); }, ThrowsMessage<Error>(AllOf(HasSubstr("below"), HasSubstr("0"))));
  EXPECT_THAT([&] { generator.below(-5); }, ThrowsMessage<Error>(HasSubstr("-5")));
  EXPECT_THAT([&] { uniform({2}, 1, 0, generator); },
              ThrowsMessage<Error>(AllOf(HasSubstr("uniform"), HasSubstr("above"), HasSubstr("[2]"))));
  EXPECT_THAT(
      [&] {
        uniform({2, 2}, 0, 1, generator, kInt64);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("uniform"), HasSubstr("int64"), HasSubstr("[2, 2]"))));
  EXPECT_THAT([&] { normal({3}, 0, -1, generator); },
              ThrowsMessage<Error>(AllOf(HasSubstr("normal"), HasSubstr("-1"), HasSubstr("[3]"))));
  EXPECT_THAT([&] { normal({3}, 0, 1, generator, kInt64); },
              ThrowsMessage<Error>(AllOf(HasSubstr("normal"), HasSubstr("int64"), HasSubstr("[3]"))));
  EXPECT_THAT([&] { randperm(-1, generator); }, ThrowsMessage<Error>(AllOf(HasSubstr("randperm"), HasSubstr("-1"))));
}

}  // namespace
}  // namespace nabla
