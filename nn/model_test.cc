#include "nn/model.h"

#include <fcntl.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nn/layers.h"
#include "nn/sequential.h"
#include "optim/lr_scheduler.h"
#include "optim/sgd.h"

namespace nabla::nn {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

TEST(Accuracy, CountsArgmaxHitsAndTopK) {
  // Rows' best classes: 2, 0, 1; labels 2, 1, 1 -> 2 of 3 right.
  const Tensor scores = tensor({0.1, 0.2, 0.7, 0.5, 0.4, 0.1, 0.2, 0.6, 0.2}, {3, 3});
  const Tensor labels = tensor({2, 1, 1}, {3}, kInt64);
  auto top1 = accuracy();
  top1->update(scores, labels);
  EXPECT_DOUBLE_EQ(top1->value(), 2.0 / 3.0);
  // Top 2: row 1's label 1 has the second highest score, so all 3 hit.
  auto top2 = top_k_accuracy(2);
  top2->update(scores, labels);
  EXPECT_DOUBLE_EQ(top2->value(), 1.0);
  EXPECT_EQ(top2->name(), "top_2_accuracy");
  // One-hot targets count like their argmax.
  auto onehot = accuracy();
  onehot->update(scores, one_hot(labels, 3));
  EXPECT_DOUBLE_EQ(onehot->value(), 2.0 / 3.0);
}

TEST(Accuracy, SingleLogitIsBinary) {
  auto metric = accuracy();
  metric->update(tensor({2.0, -1.0, 0.5, -3.0}, {4, 1}), tensor({1, 0, 0, 0}, {4}, kInt64));
  EXPECT_DOUBLE_EQ(metric->value(), 0.75);
  metric->reset();
  EXPECT_DOUBLE_EQ(metric->value(), 0.0);
}

// Two separable blobs: x > 0 is class 1.
std::shared_ptr<data::TensorDataset> blobs(std::int64_t n) {
  Generator generator(3);
  const Tensor labels = (uniform({n}, 0, 1, generator) > 0.5).astype(kInt64);
  const Tensor centres = labels.astype(kFloat32).unsqueeze(1) * 4.0 - 2.0;
  return std::make_shared<data::TensorDataset>(centres + normal({n, 2}, 0, 0.5, generator), labels);
}

std::shared_ptr<Sequential> classifier() {
  Generator generator(1);
  auto network = std::make_shared<Sequential>();
  network->add(std::make_shared<Dense>(DenseOptions(2, 2).generator(&generator)));
  return network;
}

TEST(Model, FitLearnsAndRecordsHistory) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)),
                {accuracy()});
  const auto train = blobs(256);
  const History history =
      model.fit(train, FitOptions().epochs(3).batch_size(32).validation_data(blobs(64)).verbose(0));
  ASSERT_EQ(history.metrics.at("loss").size(), 3u);
  EXPECT_LT(history.metrics.at("loss")[2], history.metrics.at("loss")[0]);
  EXPECT_GT(history.metrics.at("val_accuracy")[2], 0.95);
  EXPECT_EQ(history.metrics.at("lr"), (std::vector<double>{0.1, 0.1, 0.1}));
  const std::string csv = history.to_csv();
  EXPECT_THAT(csv, HasSubstr("epoch,accuracy,loss,lr,val_accuracy,val_loss\n1,"));
  EXPECT_GT(model.evaluate(train).at("accuracy"), 0.95);
}

TEST(Model, PredictKeepsOrderAndBatches) {
  auto network = classifier();
  Model model(network);
  const Tensor inputs = arange(0, 10).reshape({5, 2});
  const Tensor all_at_once = network->forward(Variable(inputs)).value();
  EXPECT_EQ(model.predict(inputs, 2).to_vector<float>(), all_at_once.to_vector<float>());
  EXPECT_THAT([&] { model.predict(inputs, 0); }, ThrowsMessage<Error>(HasSubstr("batch_size must be positive")));
}

TEST(Model, NeedsCompile) {
  Model model(classifier());
  EXPECT_THAT([&] { model.fit(blobs(8)); }, ThrowsMessage<Error>(HasSubstr("Model::fit: call compile() first")));
}

TEST(Model, EarlyStoppingStopsWhenTheMonitorStalls) {
  auto network = classifier();
  Model model(network);
  // A learning rate of ~0 leaves the loss where it is, so nothing improves.
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(1e-12)));
  const History history = model.fit(
      blobs(64), FitOptions().epochs(20).verbose(0).callbacks({early_stopping(EarlyStoppingOptions().monitor("loss").patience(2).min_delta(1e-3))}));
  // Epoch 1 sets the best; epochs 2 and 3 fail to improve it by 1e-3.
  EXPECT_EQ(history.metrics.at("loss").size(), 3u);
}

TEST(Model, EpochLineShowsSmallValuesInScientificNotation) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(1e-4)));
  testing::internal::CaptureStdout();
  model.fit(blobs(32), FitOptions().epochs(1).verbose(1));
  const std::string line = testing::internal::GetCapturedStdout();
  // As Keras: "%.4f" above 1e-3, "%.4e" at and below.
  EXPECT_THAT(line, HasSubstr(" - lr: 1.0000e-04"));
  EXPECT_THAT(line, testing::ContainsRegex(" - loss: [0-9]+\\.[0-9][0-9][0-9][0-9] "));
}

TEST(Model, LearningRateScheduleStepsEachEpoch) {
  auto network = classifier();
  Model model(network);
  auto sgd = std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(1.0));
  model.compile(cross_entropy_loss(), sgd);
  const History history = model.fit(
      blobs(32), FitOptions().epochs(3).verbose(0).callbacks({learning_rate_schedule(std::make_shared<optim::StepLR>(*sgd, 1, 0.5))}));
  // The lr logged for an epoch is the one it trained with.
  EXPECT_EQ(history.metrics.at("lr"), (std::vector<double>{1.0, 0.5, 0.25}));
}

TEST(Model, CheckpointCallbackSavesOnlyImprovements) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
  std::vector<int> saved;
  model.fit(blobs(64), FitOptions().epochs(4).verbose(0).callbacks({checkpoint_every_epoch(
                           [&](Model&, int epoch, const Logs&) { saved.push_back(epoch); }, true, "loss")}));
  ASSERT_FALSE(saved.empty());
  EXPECT_EQ(saved.front(), 0);
  for (std::size_t i = 1; i < saved.size(); ++i) EXPECT_GT(saved[i], saved[i - 1]);
}

TEST(Model, DivergingLossIsAnErrorNamingTheBatch) {
  auto network = classifier();
  Model model(network);
  model.compile([](const Variable& prediction, const Variable&) { return sum(prediction) / 0.0; },
                std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
  EXPECT_THAT([&] { model.fit(blobs(8), FitOptions().verbose(0)); },
              ThrowsMessage<Error>(HasSubstr("at epoch 1, batch 1")));
}

// Binary cross-entropy's targets: floats 0 and 1 of the prediction's [N, 1] shape.
TEST(Accuracy, SingleLogitTakesFloatTargetsAndRejectsOtherLabels) {
  auto metric = accuracy();
  metric->update(tensor({2.0, -1.0, 0.5, 3.0}, {4, 1}), tensor({1.0, 1.0, 0.0, 1.0}, {4, 1}));
  EXPECT_DOUBLE_EQ(metric->value(), 0.5);
  EXPECT_THAT([&] { metric->update(tensor({-2.0}, {1, 1}), tensor({7}, {1}, kInt64)); },
              ThrowsMessage<Error>(HasSubstr("accuracy: label 7 is not 0 or 1")));
}

// The check comes before the update: a NaN loss would make every weight NaN.
TEST(Model, ANonFiniteLossStopsFitBeforeTheUpdate) {
  auto network = classifier();
  const std::vector<float> before = network->parameters()[0].value().to_vector<float>();
  Model model(network);
  model.compile([](const Variable& prediction, const Variable&) { return sum(prediction) * std::nan(""); },
                std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
  EXPECT_THAT([&] { model.fit(blobs(8), FitOptions().verbose(0)); },
              ThrowsMessage<Error>(HasSubstr("Model::fit: the loss became nan at epoch 1, batch 1")));
  EXPECT_EQ(network->parameters()[0].value().to_vector<float>(), before);
}

// Counts batches and asks to stop after `limit` of them.
class StopAfterBatches : public Callback {
 public:
  explicit StopAfterBatches(std::int64_t limit) : limit_(limit) {}
  void on_batch_end(Model& model, std::int64_t, const Logs&) override {
    if (++seen_ >= limit_) model.stop_training() = true;
  }
  std::int64_t seen_ = 0;

 private:
  std::int64_t limit_;
};

// As Keras' fit: stop_training set by a batch's callback ends the epoch after
// that batch (and the epoch's end still runs), not after every batch.
TEST(Model, StopTrainingFromABatchCallbackStopsAfterThatBatch) {
  auto network = classifier();
  Model model(network);
  auto sgd = std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1));
  model.compile(cross_entropy_loss(), sgd);
  auto stopper = std::make_shared<StopAfterBatches>(2);
  const History history = model.fit(blobs(64), FitOptions().epochs(3).batch_size(8).verbose(0).callbacks({stopper}));
  EXPECT_EQ(stopper->seen_, 2);
  EXPECT_EQ(sgd->steps(), 2);
  EXPECT_EQ(history.metrics.at("loss").size(), 1u);
}

TEST(Model, FitRejectsANullCallback) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
  EXPECT_THAT([&] { model.fit(blobs(8), FitOptions().verbose(0).callbacks({early_stopping(), nullptr})); },
              ThrowsMessage<Error>(HasSubstr("Model::fit: callback 1 is null")));
}

// Caught before any training, in Model's words: an empty validation set
// failed only after the first epoch had trained, a batch size of 0 in the
// DataLoader's words.
TEST(Model, FitAndEvaluateCheckTheirArgumentsFirst) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
  const Tensor before = network->parameters()[0].value().clone();
  EXPECT_THAT([&] { model.fit(blobs(8), FitOptions().verbose(0).validation_data(blobs(0))); },
              ThrowsMessage<Error>(HasSubstr("Model::fit: the validation set is empty")));
  EXPECT_EQ(network->parameters()[0].value().to_vector<float>(), before.to_vector<float>());
  EXPECT_THAT([&] { model.fit(blobs(8), FitOptions().verbose(0).batch_size(0)); },
              ThrowsMessage<Error>(HasSubstr("Model::fit: batch_size must be positive, got 0")));
  EXPECT_THAT([&] { model.evaluate(blobs(8), -1); },
              ThrowsMessage<Error>(HasSubstr("Model::evaluate: batch_size must be positive, got -1")));
}

// Evaluation mode lasts for the call only, also when it throws.
TEST(Model, EvaluateAndPredictRestoreTrainingModeOnError) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)),
                {accuracy()});
  network->train();
  const auto bad_labels = std::make_shared<data::TensorDataset>(zeros({4, 2}), tensor({0, 1, 5, 0}, {4}, kInt64));
  EXPECT_THROW(model.evaluate(bad_labels), Error);
  EXPECT_TRUE(network->is_training());
  EXPECT_THROW(model.predict(zeros({4, 3})), Error);  // 3 features where the layer takes 2
  EXPECT_TRUE(network->is_training());
}

TEST(Model, EarlyStoppingRejectsNegativePatienceOrMinDelta) {
  EXPECT_THAT([] { early_stopping(EarlyStoppingOptions().patience(-1)); },
              ThrowsMessage<Error>(HasSubstr("early_stopping: patience must be >= 0, got -1")));
  // Keras takes |min_delta|; a negative one would count a worse value as an improvement.
  EXPECT_THAT([] { early_stopping(EarlyStoppingOptions().min_delta(-0.1)); },
              ThrowsMessage<Error>(HasSubstr("early_stopping: min_delta must be >= 0 and finite, got -0.1")));
}

TEST(Model, LearningRateScheduleMustDriveTheModelsOptimizer) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(1.0)));
  auto other_network = classifier();
  optim::SGD other(other_network->parameters(), optim::SGDOptions(1.0));
  EXPECT_THAT(
      [&] {
        model.fit(blobs(32), FitOptions().epochs(2).verbose(0).callbacks(
                                 {learning_rate_schedule(std::make_shared<optim::StepLR>(other, 1, 0.5))}));
      },
      ThrowsMessage<Error>(
          HasSubstr("learning_rate_schedule: the schedule drives another optimiser than the model's")));
}

// Keras' "accuracy" takes a target of lower rank than the prediction, or of
// one column, as class indices, whatever its dtype.
TEST(Accuracy, FloatClassIndexTargetsAreLabels) {
  // Rows' best classes: 2, 0, 1; labels 2, 1, 1 -> 2 of 3 right.
  const Tensor scores = tensor({0.1, 0.2, 0.7, 0.5, 0.4, 0.1, 0.2, 0.6, 0.2}, {3, 3});
  auto metric = accuracy();
  metric->update(scores, tensor({2.0, 1.0, 1.0}, {3, 1}));
  EXPECT_DOUBLE_EQ(metric->value(), 2.0 / 3.0);
  metric->reset();
  metric->update(scores, tensor({2.0, 1.0, 1.0}, {3}));
  EXPECT_DOUBLE_EQ(metric->value(), 2.0 / 3.0);
  // 1.5 names no class: it was cut to 1 and counted as right.
  EXPECT_THAT([&] { metric->update(scores, tensor({2.0, 1.5, 1.0}, {3})); },
              ThrowsMessage<Error>(HasSubstr("accuracy: target 1.5 is not a class index (target shape [3]")));
}

// Reports values[e] in epoch e (each reset() starts one), whatever it sees.
class ScriptedMetric : public Metric {
 public:
  ScriptedMetric(std::string name, std::vector<double> values) : name_(std::move(name)), values_(std::move(values)) {}
  std::string name() const override { return name_; }
  void reset() override { ++resets_; }
  void update(const Tensor&, const Tensor&) override {}
  double value() const override { return values_.at(std::min(resets_, values_.size()) - 1); }

 private:
  std::string name_;
  std::vector<double> values_;
  std::size_t resets_ = 0;
};

// Every parameter and buffer of `network`.
std::vector<Tensor> state_of(const Module& network) {
  std::vector<Tensor> state;
  for (const Variable& p : network.parameters()) state.push_back(p.value());
  for (const auto& [name, buffer] : network.named_buffers()) state.push_back(buffer);
  return state;
}

// Copies of every parameter and buffer at the end of each epoch.
class Snapshots : public Callback {
 public:
  void on_epoch_end(Model& model, int, const Logs&) override {
    std::vector<Tensor> copies;
    for (const Tensor& t : state_of(model.network())) copies.push_back(t.clone());
    epochs.push_back(copies);
  }
  std::vector<std::vector<Tensor>> epochs;
};

// Keras' restore_best_weights sets every weight back, BatchNorm's moving
// statistics too, not only the trainable ones.
TEST(Model, EarlyStoppingRestoresTheBestEpochsBuffersToo) {
  Generator generator(1);
  auto network = std::make_shared<Sequential>();
  network->add(std::make_shared<Dense>(DenseOptions(2, 2).generator(&generator)));
  network->add(std::make_shared<BatchNorm1d>(BatchNormOptions(2)));
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)),
                {std::make_shared<ScriptedMetric>("score_accuracy", std::vector<double>{0.9, 0.5})});
  auto snapshots = std::make_shared<Snapshots>();
  auto stopping = early_stopping(EarlyStoppingOptions().monitor("score_accuracy").patience(1).restore_best(true));
  const History history =
      model.fit(blobs(64), FitOptions().epochs(5).batch_size(16).verbose(0).callbacks({snapshots, stopping}));
  ASSERT_EQ(history.metrics.at("loss").size(), 2u);  // epoch 2 does not improve on epoch 1
  const std::vector<Tensor> now = state_of(*network);
  ASSERT_EQ(now.size(), 6u);  // Dense and BatchNorm weight and bias, running_mean, running_var
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (i >= 4) {  // the buffers moved in epoch 2 (the Dense bias has no gradient before a BatchNorm)
      EXPECT_NE(snapshots->epochs[1][i].to_vector<float>(), snapshots->epochs[0][i].to_vector<float>());
    }
    EXPECT_EQ(now[i].to_vector<float>(), snapshots->epochs[0][i].to_vector<float>()) << "tensor " << i;
  }
}

// Keras' "auto" mode: only accuracies (and AUC) improve upwards; an error
// metric such as "mae" improves as it falls.
TEST(Model, MonitoredErrorMetricsImproveDownwards) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)),
                {std::make_shared<ScriptedMetric>("mae", std::vector<double>{0.5, 0.4, 0.3, 0.2})});
  std::vector<int> saved;
  const History history = model.fit(
      blobs(32), FitOptions().epochs(4).verbose(0).callbacks(
                     {early_stopping(EarlyStoppingOptions().monitor("mae").patience(1)),
                      checkpoint_every_epoch([&](Model&, int epoch, const Logs&) { saved.push_back(epoch); }, true,
                                             "mae")}));
  EXPECT_EQ(history.metrics.at("mae").size(), 4u);
  EXPECT_EQ(saved, (std::vector<int>{0, 1, 2, 3}));
}

// The epoch's logged value drives the plateau; the lr logged in an epoch is
// the one it trained with. "mae" 0.5, 0.5, 0.5, 0.4: with patience 1 the
// third epoch is the second bad one, so epoch 4 trains at 0.1 · 0.5.
TEST(Model, ReduceLROnPlateauFollowsTheMonitoredMetric) {
  auto network = classifier();
  Model model(network);
  auto sgd = std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1));
  model.compile(cross_entropy_loss(), sgd,
                {std::make_shared<ScriptedMetric>("mae", std::vector<double>{0.5, 0.5, 0.5, 0.4})});
  auto plateau = std::make_shared<optim::ReduceLROnPlateau>(*sgd, optim::ReduceLROnPlateauOptions().factor(0.5).patience(1));
  const History history =
      model.fit(blobs(32), FitOptions().epochs(4).verbose(0).callbacks({reduce_lr_on_plateau(plateau, "mae")}));
  EXPECT_EQ(history.metrics.at("lr"), (std::vector<double>{0.1, 0.1, 0.1, 0.05}));
  auto upwards = std::make_shared<optim::ReduceLROnPlateau>(*sgd);
  EXPECT_THAT([&] { model.fit(blobs(32), FitOptions().verbose(0).callbacks({reduce_lr_on_plateau(upwards, "mae_accuracy")})); },
              ThrowsMessage<Error>(HasSubstr("reduce_lr_on_plateau: 'mae_accuracy' improves upwards but the "
                                             "ReduceLROnPlateau waits for it to fall (PlateauMode::kMin)")));
}

// Seeds the loader hands the transform, one per batch: they identify the
// epoch's data order (and augmentation).
std::vector<std::uint64_t> batch_seeds(Model& model, int epochs, int calls) {
  std::vector<std::uint64_t> seeds;
  const auto record = [&seeds](data::Batch batch, std::uint64_t seed) {
    seeds.push_back(seed);
    return batch;
  };
  for (int call = 0; call < calls; ++call) {
    model.fit(blobs(32), FitOptions().epochs(epochs).batch_size(16).verbose(0).transform(record));
  }
  return seeds;
}

// fit(1) twice visits the data as fit(2) does; every call used to start the
// loader's sequence again, so a loop of fit(epochs = 1) saw one order.
TEST(Model, EpochsCountOnAcrossFitCallsForTheDataOrder) {
  auto make = [] {
    auto network = classifier();
    auto model = std::make_shared<Model>(network);
    model->compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
    return model;
  };
  const std::vector<std::uint64_t> once = batch_seeds(*make(), 2, 1);
  const std::vector<std::uint64_t> twice = batch_seeds(*make(), 1, 2);
  ASSERT_EQ(once.size(), 4u);
  EXPECT_EQ(twice, once);
  EXPECT_NE(std::vector<std::uint64_t>(once.begin(), once.begin() + 2),
            std::vector<std::uint64_t>(once.begin() + 2, once.end()));
}

// Keras' on_train_batch_end(batch, logs): batch is the index within the epoch, from 0.
TEST(Model, BatchCallbacksGetTheIndexWithinTheEpochFromZero) {
  class Indices : public Callback {
   public:
    void on_batch_end(Model&, std::int64_t batch, const Logs&) override { seen.push_back(batch); }
    std::vector<std::int64_t> seen;
  };
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
  auto indices = std::make_shared<Indices>();
  model.fit(blobs(40), FitOptions().epochs(2).batch_size(16).verbose(0).callbacks({indices}));
  EXPECT_EQ(indices->seen, (std::vector<std::int64_t>{0, 1, 2, 0, 1, 2}));
}

// What `body` writes to standard output while that is a terminal (a pseudo-terminal).
std::string terminal_output(const std::function<void()>& body) {
  const int terminal = posix_openpt(O_RDWR | O_NOCTTY);
  if (terminal < 0 || grantpt(terminal) != 0 || unlockpt(terminal) != 0) return "no pseudo-terminal";
  const int screen = open(ptsname(terminal), O_RDWR | O_NOCTTY);
  if (screen < 0) return "no pseudo-terminal";
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  dup2(screen, STDOUT_FILENO);
  body();
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  close(screen);
  fcntl(terminal, F_SETFL, O_NONBLOCK);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = read(terminal, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  close(terminal);
  return out;
}

// Keras' verbose: 1 draws the progress bar, 2 writes one line per epoch only.
TEST(Model, VerboseTwoWritesNoProgressBar) {
  auto network = classifier();
  Model model(network);
  model.compile(cross_entropy_loss(), std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(0.1)));
  EXPECT_THAT(terminal_output([&] { model.fit(blobs(32), FitOptions().epochs(1).verbose(1)); }), HasSubstr("ETA"));
  const std::string lines = terminal_output([&] { model.fit(blobs(32), FitOptions().epochs(2).verbose(2)); });
  EXPECT_THAT(lines, HasSubstr("Epoch 2/2"));
  EXPECT_THAT(lines, Not(HasSubstr("ETA")));
}

}  // namespace
}  // namespace nabla::nn
