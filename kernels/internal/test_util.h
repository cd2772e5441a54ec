#ifndef NABLA_KERNELS_INTERNAL_TEST_UTIL_H_
#define NABLA_KERNELS_INTERNAL_TEST_UTIL_H_

// Helpers shared by the kernel tests: random data, comparisons, a
// central-difference gradient check in float64, and a fixture that runs a
// parameterised test once per backend.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <tuple>
#include <vector>

#include "tensor/backend.h"
#include "tensor/ops.h"

namespace nabla {

// Test names show "onednn" / "reference" rather than an enum's number.
inline void PrintTo(Backend backend, std::ostream* out) { *out << backend_name(backend); }

}  // namespace nabla

namespace nabla::kernels::testing {

// Elements uniform in [-1, 1).
inline Tensor random_tensor(const Shape& shape, std::uint64_t seed, DType dtype = kFloat64) {
  Generator generator(seed);
  return uniform(shape, -1, 1, generator, dtype);
}

// Σ a·b in double; shapes must match.
inline double dot(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  const std::vector<double> x = a.to_vector<double>();
  const std::vector<double> y = b.to_vector<double>();
  double total = 0;
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) total += x[i] * y[i];
  return total;
}

// Element-wise |actual - expected| <= tolerance · (1 + |expected|).
inline void expect_close(const Tensor& actual, const Tensor& expected, double tolerance) {
  ASSERT_EQ(actual.shape(), expected.shape());
  const std::vector<double> a = actual.to_vector<double>();
  const std::vector<double> e = expected.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_NEAR(a[i], e[i], tolerance * (1 + std::abs(e[i]))) << "at flat index " << i;
  }
}

// Checks `analytic`, the claimed gradient of L(x) = Σ f(x)·upstream with
// respect to x (float64), against central differences of L, one element of
// x at a time.
inline void expect_gradient(const std::function<Tensor(const Tensor&)>& f, const Tensor& x, const Tensor& upstream,
                            const Tensor& analytic, double step = 1e-6, double tolerance = 1e-6) {
  ASSERT_EQ(x.dtype(), kFloat64);
  ASSERT_EQ(analytic.shape(), x.shape());
  const std::vector<double> expected = analytic.to_vector<double>();
  Tensor probe = x.clone();
  double* values = probe.data<double>();
  for (std::int64_t i = 0; i < probe.numel(); ++i) {
    const double saved = values[i];
    values[i] = saved + step;
    const double plus = dot(f(probe), upstream);
    values[i] = saved - step;
    const double minus = dot(f(probe), upstream);
    values[i] = saved;
    const double numeric = (plus - minus) / (2 * step);
    ASSERT_NEAR(expected[i], numeric, tolerance * (1 + std::abs(numeric))) << "at flat index " << i;
  }
}

// A test parameterised by (Param, Backend) that runs under that backend:
//   class MyTest : public BackendTest<Case> {};
//   INSTANTIATE_TEST_SUITE_P(Shapes, MyTest, ::testing::Combine(::testing::ValuesIn(kCases), kBothBackends));
template <typename Param>
class BackendTest : public ::testing::TestWithParam<std::tuple<Param, Backend>> {
 protected:
  void SetUp() override { scope_.emplace(std::get<1>(this->GetParam())); }
  void TearDown() override { scope_.reset(); }
  const Param& param() const { return std::get<0>(this->GetParam()); }

 private:
  std::optional<BackendScope> scope_;
};

inline const auto kBothBackends = ::testing::Values(Backend::kOneDnn, Backend::kReference);

}  // namespace nabla::kernels::testing

#endif  // NABLA_KERNELS_INTERNAL_TEST_UTIL_H_
