#include "data/internal/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace nabla::data::internal {
namespace {

TEST(RandomTest, ShuffleIsASeededPermutation) {
  std::vector<int> values(100);
  std::iota(values.begin(), values.end(), 0);
  std::vector<int> shuffled = values;
  Generator generator(1);
  shuffle(shuffled, generator);
  EXPECT_NE(shuffled, values);
  std::vector<int> again = values;
  Generator same(1);
  shuffle(again, same);
  EXPECT_EQ(again, shuffled);
  std::sort(shuffled.begin(), shuffled.end());
  EXPECT_EQ(shuffled, values);
}

TEST(RandomTest, MixedSeedsDiffer) {
  EXPECT_NE(mix_seed(1, 0), mix_seed(1, 1));
  EXPECT_NE(mix_seed(1, 0), mix_seed(2, 0));
  EXPECT_NE(mix_seed(0, 0), 0u);
  EXPECT_EQ(mix_seed(7, 3), mix_seed(7, 3));
}

}  // namespace
}  // namespace nabla::data::internal
