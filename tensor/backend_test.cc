#include "tensor/backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tensor/ops.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(BackendTest, NamesRoundTrip) {
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    EXPECT_EQ(parse_backend(backend_name(backend)), backend);
  }
  EXPECT_STREQ(backend_name(Backend::kOneDnn), "onednn");
}

TEST(BackendTest, RejectsUnknownNames) {
  EXPECT_THAT([] { parse_backend("mkl"); },
              ThrowsMessage<Error>(HasSubstr("unknown backend \"mkl\": expected \"onednn\" or \"reference\"")));
}

TEST(BackendTest, ScopeRestoresThePreviousChoice) {
  const Backend before = current_backend();
  {
    BackendScope reference(Backend::kReference);
    EXPECT_EQ(current_backend(), Backend::kReference);
    {
      BackendScope onednn(Backend::kOneDnn);
      EXPECT_EQ(current_backend(), Backend::kOneDnn);
    }
    EXPECT_EQ(current_backend(), Backend::kReference);
  }
  EXPECT_EQ(current_backend(), before);
}

TEST(BackendTest, ThreadSetting) {
  const int saved = num_threads();
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  set_num_threads(saved);
  EXPECT_THAT([] { set_num_threads(0); }, ThrowsMessage<Error>(HasSubstr("need at least 1 thread, got 0")));
}

// [2, 3] x [3, 2], worked by hand: rows of a times columns of b.
TEST(BackendTest, MatmulAgreesOnBothBackends) {
  const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = tensor({7, 8, 9, 10, 11, 12}, {3, 2});
  const std::vector<float> expected{58, 64, 139, 154};
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    BackendScope scope(backend);
    EXPECT_EQ(matmul(a, b).to_vector<float>(), expected) << backend_name(backend);
    // A transposed view goes through each backend's strided path.
    EXPECT_EQ(matmul(b.transpose(0, 1), a.transpose(0, 1)).to_vector<float>(),
              (std::vector<float>{58, 139, 64, 154}))
        << backend_name(backend);
  }
}

}  // namespace
}  // namespace nabla
