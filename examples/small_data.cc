#include "examples/small_data.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "tensor/random.h"

namespace nabla::examples {
namespace {

class PrintEvery : public nn::Callback {
 public:
  PrintEvery(int every, int epochs) : every_(every), epochs_(epochs) {}

  void on_epoch_end(nn::Model&, int epoch, const nn::Logs& logs) override {
    const int number = epoch + 1;
    if (number != 1 && number % every_ != 0 && number != epochs_) return;
    std::string line = "epoch " + std::to_string(number) + "/" + std::to_string(epochs_);
    char value[64];
    for (const auto& [name, metric] : logs) {
      std::snprintf(value, sizeof value, " - %s %.4f", name.c_str(), metric);
      line += value;
    }
    std::printf("%s\n", line.c_str());
  }

 private:
  int every_;
  int epochs_;
};

}  // namespace

StandardizedSplit standardized_split(const data::CsvTable& table, double test_fraction, std::uint64_t seed) {
  NABLA_CHECK(test_fraction >= 0 && test_fraction <= 1, "standardized_split: test_fraction must be in [0, 1], got ",
              test_fraction);
  const std::vector<std::int64_t> labels = table.labels.to_vector<std::int64_t>();
  std::map<std::int64_t, std::int64_t> quota;  // test rows still to take, per class
  for (const std::int64_t label : labels) ++quota[label];
  for (auto& [label, count] : quota) count = std::llround(static_cast<double>(count) * test_fraction);
  Generator generator(seed);
  std::vector<std::int64_t> train_rows, test_rows;
  for (const std::int64_t row : randperm(static_cast<std::int64_t>(labels.size()), generator).to_vector<std::int64_t>()) {
    std::int64_t& left = quota[labels[static_cast<std::size_t>(row)]];
    if (left > 0) {
      test_rows.push_back(row);
      --left;
    } else {
      train_rows.push_back(row);
    }
  }
  NABLA_CHECK(!train_rows.empty() && !test_rows.empty(), "standardized_split: test_fraction ", test_fraction,
              " leaves ", train_rows.size(), " training and ", test_rows.size(), " test rows of ", labels.size(),
              "; both parts need rows");
  const data::TensorDataset all(table.features, table.labels);
  data::Batch train = all.get_batch(train_rows);
  data::Batch test = all.get_batch(test_rows);

  StandardizedSplit result;
  result.moments = data::channel_moments(train.inputs);
  for (double& stddev : result.moments.stddev) {
    if (stddev == 0) stddev = 1;  // a feature constant over the training rows is only centred
  }
  train.inputs = data::normalize(train.inputs, result.moments.mean, result.moments.stddev);
  test.inputs = data::normalize(test.inputs, result.moments.mean, result.moments.stddev);
  std::printf("%lld training rows, %lld test rows, %lld features (standardised with the training rows' statistics)\n",
              static_cast<long long>(train.inputs.dim(0)), static_cast<long long>(test.inputs.dim(0)),
              static_cast<long long>(train.inputs.dim(1)));
  result.train = std::make_shared<data::TensorDataset>(train);
  result.test = std::make_shared<data::TensorDataset>(test);
  return result;
}

std::shared_ptr<nn::Callback> print_every(int every, int epochs) {
  NABLA_CHECK(every > 0, "print_every: every must be positive, got ", every);
  return std::make_shared<PrintEvery>(every, epochs);
}

}  // namespace nabla::examples
