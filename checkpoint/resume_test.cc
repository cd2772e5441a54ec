// The point of a checkpoint: training N steps, saving, loading into new
// objects and training M more gives, bit for bit, the parameters, buffers
// (BatchNorm's running statistics) and Adam state of N + M uninterrupted
// steps, whether the second half runs in this process or a fresh one.

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checkpoint/checkpoint.h"
#include "checkpoint/internal/training_fixture.h"

namespace nabla::checkpoint {
namespace {

constexpr int kFirstSteps = 6;
constexpr int kMoreSteps = 5;

std::string test_dir() {
  const char* root = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(root != nullptr ? root : "/tmp") + "/" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  return dispatch(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> x = a.to_vector<T>();
    const std::vector<T> y = b.to_vector<T>();
    return x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(T)) == 0;
  });
}

// Everything a resumed run depends on, by name, as a checkpoint stores it.
NamedTensors full_state(const nn::Module& model, const optim::Optimizer& optimizer) {
  NamedTensors result;
  for (const auto& [name, parameter] : model.named_parameters()) result.emplace_back(name, parameter.value().clone());
  for (const auto& [name, buffer] : model.named_buffers()) result.emplace_back(name, buffer.clone());
  for (const auto& [name, tensor] : optimizer.state()) result.emplace_back(kOptimizerPrefix + name, tensor);
  return result;
}

void expect_bit_identical(const NamedTensors& actual, const NamedTensors& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].first, expected[i].first);
    EXPECT_TRUE(same_bits(actual[i].second, expected[i].second))
        << expected[i].first << ": " << actual[i].second << " vs " << expected[i].second;
  }
}

// N + M steps without a break.
NamedTensors uninterrupted() {
  auto model = testing::make_model(1);
  auto optimizer = testing::make_optimizer(*model);
  testing::train(*model, *optimizer, kFirstSteps + kMoreSteps);
  return full_state(*model, *optimizer);
}

TEST(Resume, InProcessMatchesAnUninterruptedRunBitForBit) {
  const std::string path = test_dir() + "/step6.safetensors";
  {
    auto model = testing::make_model(1);
    auto optimizer = testing::make_optimizer(*model);
    testing::train(*model, *optimizer, kFirstSteps);
    save(path, *model, optimizer.get());
  }
  // New objects, other initial weights, as a fresh process would build.
  auto model = testing::make_model(2);
  auto optimizer = testing::make_optimizer(*model);
  load(path, *model, optimizer.get());
  testing::train(*model, *optimizer, kMoreSteps);
  expect_bit_identical(full_state(*model, *optimizer), uninterrupted());
}

TEST(Resume, WithoutTheOptimizerStateTheRunDiverges) {
  // The control: restoring the model alone is not enough (Adam's moments and
  // step counts matter), so the test above does check them.
  const std::string path = test_dir() + "/step6.safetensors";
  {
    auto model = testing::make_model(1);
    auto optimizer = testing::make_optimizer(*model);
    testing::train(*model, *optimizer, kFirstSteps);
    save(path, *model, optimizer.get());
  }
  auto model = testing::make_model(2);
  auto optimizer = testing::make_optimizer(*model);
  load(path, *model);
  testing::train(*model, *optimizer, kMoreSteps);
  const NamedTensors expected = uninterrupted();
  EXPECT_FALSE(same_bits(model->named_parameters()[0].second.value(), expected[0].second));
}

// Runs resume_tool from the test's runfiles; returns its exit code and
// appends its output to `output`.
int run_tool(const std::string& arguments, std::string& output) {
  const char* runfiles = std::getenv("TEST_SRCDIR");
  const std::string command =
      std::string(runfiles != nullptr ? runfiles : ".") + "/nabla/checkpoint/resume_tool " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, got);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Resume, FreshProcessMatchesAnUninterruptedRunBitForBit) {
  const std::string dir = test_dir();
  std::string output;
  ASSERT_EQ(run_tool("train " + std::to_string(kFirstSteps) + " " + dir + "/first.safetensors", output), 0) << output;
  ASSERT_EQ(run_tool("resume " + dir + "/first.safetensors " + std::to_string(kMoreSteps) + " " + dir +
                         "/second.safetensors",
                     output),
            0)
      << output;
  const TensorFile file = load_tensors(dir + "/second.safetensors");
  expect_bit_identical(file.tensors, uninterrupted());
  EXPECT_EQ(file.metadata.at("optimizer"), "Adam");

  // A corrupt checkpoint makes the second process fail with the reason.
  std::string failure;
  EXPECT_EQ(run_tool("resume " + dir + "/absent.safetensors 1 " + dir + "/third.safetensors", failure), 1);
  EXPECT_THAT(failure, ::testing::HasSubstr("resume_tool: load_tensors: cannot open '" + dir + "/absent.safetensors'"));
}

}  // namespace
}  // namespace nabla::checkpoint
