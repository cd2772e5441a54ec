#include "checkpoint/checkpoint.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checkpoint/internal/training_fixture.h"
#include "nn/layers.h"
#include "optim/sgd.h"

namespace nabla::checkpoint {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::ThrowsMessage;

std::string test_dir() {
  const char* root = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(root != nullptr ? root : "/tmp") + "/" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
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

// Copies of every parameter and buffer, by name.
NamedTensors snapshot(const nn::Module& model) {
  NamedTensors result;
  for (const auto& [name, parameter] : model.named_parameters()) result.emplace_back(name, parameter.value().clone());
  for (const auto& [name, buffer] : model.named_buffers()) result.emplace_back(name, buffer.clone());
  return result;
}

::testing::AssertionResult same_state(const NamedTensors& a, const NamedTensors& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " tensors";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != b[i].first) return ::testing::AssertionFailure() << a[i].first << " vs " << b[i].first;
    if (!same_bits(a[i].second, b[i].second)) {
      return ::testing::AssertionFailure() << a[i].first << ": " << a[i].second << " vs " << b[i].second;
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> names(const NamedTensors& tensors) {
  std::vector<std::string> result;
  for (const auto& [name, tensor] : tensors) result.push_back(name);
  return result;
}

// A trained model (so that the buffers and the optimiser's state are not
// their initial values) and its optimiser.
struct Trained {
  std::shared_ptr<nn::Sequential> model = testing::make_model(1);
  std::unique_ptr<optim::Adam> optimizer = testing::make_optimizer(*model);
  Trained() { testing::train(*model, *optimizer, 3); }
};

// A fresh model and optimiser with other initial weights, for loading into.
struct Fresh {
  std::shared_ptr<nn::Sequential> model = testing::make_model(2);
  std::unique_ptr<optim::Adam> optimizer = testing::make_optimizer(*model);
};

// Loading `path` throws an error containing `message` and leaves `fresh`
// exactly as it was.
void expect_load_fails(const std::string& path, Fresh& fresh, const std::string& message, bool with_optimizer = true) {
  const NamedTensors model_before = snapshot(*fresh.model);
  const NamedTensors optimizer_before = fresh.optimizer->state();
  EXPECT_THAT([&] { load(path, *fresh.model, with_optimizer ? fresh.optimizer.get() : nullptr); },
              ThrowsMessage<Error>(HasSubstr(message)));
  EXPECT_TRUE(same_state(snapshot(*fresh.model), model_before));
  EXPECT_TRUE(same_state(fresh.optimizer->state(), optimizer_before));
}

TEST(Checkpoint, StoresParametersBuffersAndOptimizerStateByName) {
  Trained trained;
  const std::string path = test_dir() + "/model.safetensors";
  save(path, *trained.model, trained.optimizer.get());
  const TensorFile file = load_tensors(path);
  EXPECT_THAT(names(file.tensors),
              ElementsAre("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "1.running_mean",
                          "1.running_var", "optimizer.step", "optimizer.group0.lr", "optimizer.group0.param0.step",
                          "optimizer.group0.param0.exp_avg", "optimizer.group0.param0.exp_avg_sq",
                          "optimizer.group0.param0.max_exp_avg_sq", "optimizer.group0.param1.step",
                          "optimizer.group0.param1.exp_avg", "optimizer.group0.param1.exp_avg_sq",
                          "optimizer.group0.param1.max_exp_avg_sq", "optimizer.group0.param2.step",
                          "optimizer.group0.param2.exp_avg", "optimizer.group0.param2.exp_avg_sq",
                          "optimizer.group0.param2.max_exp_avg_sq", "optimizer.group0.param3.step",
                          "optimizer.group0.param3.exp_avg", "optimizer.group0.param3.exp_avg_sq",
                          "optimizer.group0.param3.max_exp_avg_sq", "optimizer.group0.param4.step",
                          "optimizer.group0.param4.exp_avg", "optimizer.group0.param4.exp_avg_sq",
                          "optimizer.group0.param4.max_exp_avg_sq", "optimizer.group0.param5.step",
                          "optimizer.group0.param5.exp_avg", "optimizer.group0.param5.exp_avg_sq",
                          "optimizer.group0.param5.max_exp_avg_sq"));
  EXPECT_THAT(file.metadata, ElementsAre(Pair("format", "nabla.checkpoint"), Pair("format_version", "1"),
                                         Pair("optimizer", "Adam")));
  EXPECT_TRUE(same_bits(file.tensors[0].second, trained.model->named_parameters()[0].second.value()));
  EXPECT_EQ(file.tensors[8].second.item(), 3);
}

TEST(Checkpoint, LoadsIntoAFreshModelAndOptimizer) {
  Trained trained;
  const std::string path = test_dir() + "/model.safetensors";
  save(path, *trained.model, trained.optimizer.get());
  Fresh fresh;
  ASSERT_FALSE(same_state(snapshot(*fresh.model), snapshot(*trained.model)));
  const Tensor weight_storage = fresh.model->named_parameters()[0].second.value();
  load(path, *fresh.model, fresh.optimizer.get());
  EXPECT_TRUE(same_state(snapshot(*fresh.model), snapshot(*trained.model)));
  EXPECT_TRUE(same_state(fresh.optimizer->state(), trained.optimizer->state()));
  EXPECT_EQ(fresh.optimizer->steps(), 3);
  // In place: the optimiser's parameters are the model's, still.
  EXPECT_TRUE(fresh.model->named_parameters()[0].second.value().shares_storage_with(weight_storage));
  EXPECT_TRUE(fresh.optimizer->params()[0].value().shares_storage_with(weight_storage));
}

TEST(Checkpoint, ModelOnly) {
  Trained trained;
  const std::string dir = test_dir();
  save(dir + "/weights.safetensors", *trained.model);
  EXPECT_THAT(load_tensors(dir + "/weights.safetensors").metadata, Contains(Pair("optimizer", "none")));
  Fresh fresh;
  load(dir + "/weights.safetensors", *fresh.model);
  EXPECT_TRUE(same_state(snapshot(*fresh.model), snapshot(*trained.model)));

  // A full checkpoint loads into a model alone; the optimiser state is ignored.
  save(dir + "/full.safetensors", *trained.model, trained.optimizer.get());
  Fresh other;
  load(dir + "/full.safetensors", *other.model);
  EXPECT_TRUE(same_state(snapshot(*other.model), snapshot(*trained.model)));
  EXPECT_EQ(other.optimizer->steps(), 0);

  // But optimiser state cannot come from a file without it.
  Fresh third;
  expect_load_fails(dir + "/weights.safetensors", third,
                    "checkpoint::load: '" + dir +
                        "/weights.safetensors': the file holds no optimizer state (it was saved without an "
                        "optimizer), but Adam state was asked for");
}

TEST(Checkpoint, OptimizerOfAnotherType) {
  Trained trained;
  const std::string path = test_dir() + "/model.safetensors";
  save(path, *trained.model, trained.optimizer.get());
  auto model = testing::make_model(2);
  optim::SGD sgd(model->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  const NamedTensors before = snapshot(*model);
  EXPECT_THAT([&] { load(path, *model, &sgd); },
              ThrowsMessage<Error>(HasSubstr("the file holds Adam state, but the optimizer is SGD")));
  EXPECT_TRUE(same_state(snapshot(*model), before));
}

TEST(Checkpoint, ShapeMismatchNamesTheTensorAndBothShapes) {
  Trained trained;
  const std::string path = test_dir() + "/model.safetensors";
  save(path, *trained.model, trained.optimizer.get());
  auto wider = std::make_shared<nn::Sequential>();
  wider->add(std::make_shared<nn::Dense>(nn::DenseOptions(4, 9)));
  wider->add(std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(9)));
  wider->add(nn::ReLU());
  wider->add(std::make_shared<nn::Dense>(nn::DenseOptions(9, 1)));
  const NamedTensors before = snapshot(*wider);
  EXPECT_THAT([&] { load(path, *wider); },
              ThrowsMessage<Error>(HasSubstr("checkpoint::load: '" + path +
                                             "': tensor '0.weight' is float32 [4, 8] in the file, but the model has "
                                             "float32 [4, 9]")));
  EXPECT_TRUE(same_state(snapshot(*wider), before));
}

TEST(Checkpoint, DtypeMismatch) {
  Trained trained;
  NamedTensors tensors = snapshot(*trained.model);
  tensors[1].second = tensors[1].second.astype(kFloat64);
  const std::string path = test_dir() + "/model.safetensors";
  save_tensors(path, tensors);
  Fresh fresh;
  expect_load_fails(path, fresh, "tensor '0.bias' is float64 [8] in the file, but the model has float32 [8]", false);
}

TEST(Checkpoint, MissingAndUnexpectedNames) {
  Trained trained;
  const std::string dir = test_dir();
  NamedTensors tensors = snapshot(*trained.model);
  NamedTensors missing(tensors.begin(), tensors.end() - 1);
  save_tensors(dir + "/missing.safetensors", missing);
  Fresh fresh;
  expect_load_fails(dir + "/missing.safetensors", fresh,
                    "the file lacks 1 of the model's tensors: '1.running_var'", false);

  NamedTensors extra = tensors;
  extra.emplace_back("2.weight", zeros({1}));
  extra.emplace_back("head.bias", zeros({1}));
  save_tensors(dir + "/extra.safetensors", extra);
  expect_load_fails(dir + "/extra.safetensors", fresh,
                    "the file has 2 tensors that the model does not have: '2.weight', 'head.bias'", false);

  // Renamed: both at once, the missing reported first.
  NamedTensors renamed = tensors;
  renamed[0].first = "0.kernel";
  save_tensors(dir + "/renamed.safetensors", renamed);
  expect_load_fails(dir + "/renamed.safetensors", fresh, "lacks 1 of the model's tensors: '0.weight'", false);
}

TEST(Checkpoint, BadOptimizerStateLeavesEverythingUnchanged) {
  Trained trained;
  const std::string dir = test_dir();
  NamedTensors tensors = snapshot(*trained.model);
  const NamedTensors model_part = tensors;
  for (const auto& [name, tensor] : trained.optimizer->state()) tensors.emplace_back("optimizer." + name, tensor);
  const std::map<std::string, std::string> metadata = {{"format_version", "1"}, {"optimizer", "Adam"}};
  Fresh fresh;

  NamedTensors wrong_shape = tensors;
  for (auto& [name, tensor] : wrong_shape) {
    if (name == "optimizer.group0.param2.exp_avg") tensor = zeros({3});
  }
  save_tensors(dir + "/shape.safetensors", wrong_shape, metadata);
  expect_load_fails(dir + "/shape.safetensors", fresh,
                    "tensor 'optimizer.group0.param2.exp_avg' is float32 [3] in the file, but the optimizer has "
                    "float32 [8]");

  NamedTensors negative_step = tensors;
  for (auto& [name, tensor] : negative_step) {
    if (name == "optimizer.step") tensor = scalar(-1, kInt64);
  }
  save_tensors(dir + "/step.safetensors", negative_step, metadata);
  expect_load_fails(dir + "/step.safetensors", fresh, "Adam: load_state: tensor 'step' must be >= 0, got -1");

  NamedTensors no_state = model_part;
  no_state.emplace_back("optimizer.step", scalar(3, kInt64));
  save_tensors(dir + "/partial.safetensors", no_state, metadata);
  expect_load_fails(dir + "/partial.safetensors", fresh,
                    "the file lacks 25 of the Adam optimizer's tensors: 'optimizer.group0.lr', "
                    "'optimizer.group0.param0.step', 'optimizer.group0.param0.exp_avg', "
                    "'optimizer.group0.param0.exp_avg_sq', 'optimizer.group0.param0.max_exp_avg_sq' and 20 more");

  NamedTensors extra = tensors;
  extra.emplace_back("optimizer.group1.lr", scalar(0.1, kFloat64));
  save_tensors(dir + "/extra.safetensors", extra, metadata);
  expect_load_fails(dir + "/extra.safetensors", fresh,
                    "the file has 1 tensor that the model and the optimizer do not have: 'optimizer.group1.lr'");
}

TEST(Checkpoint, UnknownFormatVersion) {
  Trained trained;
  const std::string path = test_dir() + "/model.safetensors";
  save_tensors(path, snapshot(*trained.model), {{"format_version", "2"}});
  Fresh fresh;
  expect_load_fails(path, fresh, "format version '2' is not supported (this build reads version 1)", false);
}

TEST(Checkpoint, CorruptFilesLeaveTheModelUnchanged) {
  Trained trained;
  const std::string dir = test_dir();
  save(dir + "/good.safetensors", *trained.model, trained.optimizer.get());
  const std::string good = read_bytes(dir + "/good.safetensors");
  Fresh fresh;
  const std::string path = dir + "/bad.safetensors";
  for (std::size_t length : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{100}, good.size() / 2,
                             good.size() - 1}) {
    write_bytes(path, good.substr(0, length));
    expect_load_fails(path, fresh, "load_tensors: '" + path + "': ");
  }
  write_bytes(path, good + "x");
  expect_load_fails(path, fresh, "1 trailing bytes after the last tensor's data");
  std::string flipped = good;
  flipped[8] = '[';
  write_bytes(path, flipped);
  expect_load_fails(path, fresh, "the header does not start with '{'");
  expect_load_fails(dir + "/absent.safetensors", fresh, "cannot open '" + dir + "/absent.safetensors'");
}

TEST(Checkpoint, FailedSaveKeepsTheOldCheckpoint) {
  Trained trained;
  const std::string dir = test_dir();
  const std::string path = dir + "/model.safetensors";
  save(path, *trained.model, trained.optimizer.get());
  const std::string old_bytes = read_bytes(path);

  // A real write failure part-way: the file size limit makes write() fail
  // with EFBIG after 1 KiB.
  testing::train(*trained.model, *trained.optimizer, 1);
  rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    save(path, *trained.model, trained.optimizer.get());
  } catch (const Error& error) {
    message = error.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);
  EXPECT_THAT(message, HasSubstr("checkpoint::save: cannot write '" + path + ".tmp."));
  EXPECT_EQ(read_bytes(path), old_bytes);
  Fresh fresh;
  load(path, *fresh.model, fresh.optimizer.get());
  EXPECT_EQ(fresh.optimizer->steps(), 3);

  EXPECT_THAT([&] { save(dir + "/missing/model.safetensors", *trained.model); },
              ThrowsMessage<Error>(HasSubstr("checkpoint::save: cannot create a temporary file beside '" + dir +
                                             "/missing/model.safetensors'")));
}

// A module with a child named "optimizer" whose parameter is "step".
class Clash : public nn::Module {
 public:
  class Inner : public nn::Module {
   public:
    Inner() { register_parameter("step", zeros({})); }
    Variable forward(const Variable& input) override { return input; }
    std::string type_name() const override { return "Inner"; }
  };
  Clash() { register_module("optimizer", std::make_shared<Inner>()); }
  Variable forward(const Variable& input) override { return input; }
  std::string type_name() const override { return "Clash"; }
};

TEST(Checkpoint, ModelNamesMustNotCollideWithOptimizerState) {
  Clash model;
  optim::SGD sgd(model.parameters(), optim::SGDOptions(0.1));
  const std::string path = test_dir() + "/clash.safetensors";
  EXPECT_THAT([&] { save(path, model, &sgd); },
              ThrowsMessage<Error>(HasSubstr("the model's tensor 'optimizer.step' has the name of the optimiser's "
                                             "state 'step'")));
  save(path, model);  // Without an optimiser there is no clash.
  load(path, model);
}

// ---- JSON export ----

TEST(CheckpointJson, KnownText) {
  nn::Dense dense(nn::DenseOptions(2, 2));
  Variable weight = dense.weight();
  weight.data().copy_(tensor({0.1, -2, 1.0 / 3.0, 1e-8}, {2, 2}));
  Variable bias = dense.bias();
  bias.data().copy_(tensor({-0.0, 16777216}));
  EXPECT_EQ(to_json(dense),
            "{\n"
            "\"weight\": {\"dtype\": \"float32\", \"shape\": [2, 2], \"values\": [0.1, -2, 0.33333334, 1e-08]},\n"
            "\"bias\": {\"dtype\": \"float32\", \"shape\": [2], \"values\": [-0.0, 16777216]}\n"
            "}\n");
}

TEST(CheckpointJson, RoundTripsBitForBit) {
  Trained trained;
  // Values that stress the decimal form.
  Variable bias = trained.model->named_parameters()[1].second;
  const double inf = std::numeric_limits<double>::infinity();
  bias.data().copy_(tensor({std::numeric_limits<double>::quiet_NaN(), inf, -inf, -0.0, 1e-45, 3.4028234663852886e38,
                            0.1, 123456.789}));
  const std::string path = test_dir() + "/model.json";
  save_json(path, *trained.model);
  EXPECT_THAT(read_bytes(path), HasSubstr("\"0.bias\": {\"dtype\": \"float32\", \"shape\": [8], \"values\": [\"NaN\", "
                                          "\"Infinity\", \"-Infinity\", -0.0, 1e-45, 3.4028235e+38, 0.1, 123456.79]}"));
  Fresh fresh;
  load_json(path, *fresh.model);
  EXPECT_TRUE(same_state(snapshot(*fresh.model), snapshot(*trained.model)));
}

TEST(CheckpointJson, Float64AndInt64) {
  class Mixed : public nn::Module {
   public:
    Mixed() {
      register_parameter("w", tensor({0.1, 1.0 / 3.0, -1e300, 5e-324}, {2, 2}, kFloat64));
      register_buffer("count", from_vector<std::int64_t>({std::numeric_limits<std::int64_t>::min(), 0,
                                                          std::numeric_limits<std::int64_t>::max()}));
      register_buffer("scalar", scalar(2.5, kFloat64));
    }
    Variable forward(const Variable& input) override { return input; }
    std::string type_name() const override { return "Mixed"; }
  };
  Mixed saved;
  const std::string text = to_json(saved);
  EXPECT_THAT(text, HasSubstr("\"w\": {\"dtype\": \"float64\", \"shape\": [2, 2], \"values\": [0.1, "
                              "0.3333333333333333, -1e+300, 5e-324]}"));
  EXPECT_THAT(text, HasSubstr("\"count\": {\"dtype\": \"int64\", \"shape\": [3], \"values\": [-9223372036854775808, 0, "
                              "9223372036854775807]}"));
  EXPECT_THAT(text, HasSubstr("\"scalar\": {\"dtype\": \"float64\", \"shape\": [], \"values\": [2.5]}"));
  const std::string path = test_dir() + "/mixed.json";
  save_json(path, saved);
  Mixed loaded;
  loaded.named_buffers()[0].second.fill_(7);
  load_json(path, loaded);
  EXPECT_TRUE(same_state(snapshot(loaded), snapshot(saved)));
}

TEST(CheckpointJson, ErrorsLeaveTheModelUnchanged) {
  const std::string dir = test_dir();
  const std::string path = dir + "/dense.json";
  nn::Dense dense(nn::DenseOptions(2, 1));
  const NamedTensors before = snapshot(dense);
  auto expect_fails = [&](const std::string& text, const std::string& message) {
    write_bytes(path, text);
    EXPECT_THAT([&] { load_json(path, dense); },
                ThrowsMessage<Error>(HasSubstr("checkpoint::load_json: '" + path + "': " + message)))
        << text;
    EXPECT_TRUE(same_state(snapshot(dense), before));
  };
  const std::string bias = "\"bias\": {\"shape\": [1], \"values\": [5]}";
  expect_fails("{\"weight\": {\"shape\": [2, 1], \"values\": [1, 2]}", "the file is not valid JSON");
  expect_fails("[]", "the top level is not an object but array");
  expect_fails("{" + bias + "}", "the file lacks 1 of the model's tensors: 'weight'");
  expect_fails("{\"weight\": {\"shape\": [2, 1], \"values\": [1, 2]}, " + bias + ", \"x\": 1}",
               "the file has 1 tensor that the model does not have: 'x'");
  expect_fails("{\"weight\": {\"shape\": [1, 2], \"values\": [1, 2]}, " + bias + "}",
               "tensor 'weight' is [1, 2] in the file, but the model has [2, 1]");
  expect_fails("{\"weight\": {\"shape\": [2, 1], \"values\": [1]}, " + bias + "}",
               "tensor 'weight': \"values\" is not an array of 2 numbers (shape [2, 1])");
  expect_fails("{\"weight\": {\"shape\": [2, 1], \"values\": [1, true]}, " + bias + "}",
               "tensor 'weight': value 1 is true, not a number");
  expect_fails("{\"weight\": {\"shape\": [2, 1], \"values\": [1, \"nan\"]}, " + bias + "}",
               "tensor 'weight': value 1 is \"nan\", not a number");
  expect_fails("{\"weight\": {\"dtype\": \"float64\", \"shape\": [2, 1], \"values\": [1, 2]}, " + bias + "}",
               "tensor 'weight' is \"float64\" in the file, but the model has float32");
  expect_fails("{\"weight\": {\"shape\": [-2, 1], \"values\": [1, 2]}, " + bias + "}",
               "tensor 'weight': \"shape\" [-2,1] is not a list of sizes");
  expect_fails("{\"weight\": {\"shape\": [2, 1], \"values\": [1, 3.5e38]}, " + bias + "}",
               "tensor 'weight': value 1 is 3.5e+38, out of range for float32");
  expect_fails("{\"weight\": [1, 2], " + bias + "}",
               "tensor 'weight': the entry is not an object with \"shape\" and \"values\"");
  // JSON parsers keep one of two equal keys: the file would load either.
  const std::string weight = "\"weight\": {\"shape\": [2, 1], \"values\": [1, 2]}";
  expect_fails("{" + weight + ", \"weight\": {\"shape\": [2, 1], \"values\": [7, 8]}, " + bias + "}",
               "the file names 'weight' twice");
  expect_fails("{\"weight\": {\"shape\": [2, 1], \"values\": [1, 2], \"values\": [7, 8]}, " + bias + "}",
               "the file names 'values' twice within one entry");
  // Deep enough that printing it in an error message would overflow the stack.
  expect_fails("{\"weight\": {\"shape\": [" + std::string(100000, '[') + std::string(100000, ']') +
                   "], \"values\": [1, 2]}, " + bias + "}",
               "the file nests JSON deeper than a JSON checkpoint (depth 4)");
  // Valid: loads.
  write_bytes(path, "{\"weight\": {\"shape\": [2, 1], \"values\": [1, 2]}, " + bias + "}");
  load_json(path, dense);
  EXPECT_EQ(dense.bias().value().item(), 5);
}

}  // namespace
}  // namespace nabla::checkpoint
