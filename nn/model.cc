#include "nn/model.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "autodiff/ops.h"
#include "nn/losses.h"

namespace nabla::nn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Keras' rule: four decimals, or four significant digits at 1e-3 and
// below, where decimals would show a decayed learning rate as 0.0000.
std::string format_logs(const Logs& logs) {
  std::string out;
  char value_text[32];
  for (const auto& [name, value] : logs) {
    std::snprintf(value_text, sizeof value_text, std::abs(value) > 1e-3 ? "%.4f" : "%.4e", value);
    out += " - " + name + ": " + value_text;
  }
  return out;
}

// Keras' bar: " 120/938 [===>......] - ETA: 5s - loss: 0.2345". Redrawn in
// place at most ten times a second, and only on a terminal.
class ProgressBar {
 public:
  ProgressBar(std::int64_t total, bool enabled) : total_(total), enabled_(enabled && isatty(fileno(stdout))) {}

  void update(std::int64_t done, const Logs& logs) {
    if (!enabled_) return;
    const double elapsed = seconds_since(start_);
    if (done < total_ && elapsed - last_draw_ < 0.1) return;
    last_draw_ = elapsed;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / std::max<std::int64_t>(total_, 1));
    std::string bar(kWidth, '.');
    for (int i = 0; i < filled; ++i) bar[i] = '=';
    if (filled < kWidth) bar[filled] = '>';
    const double eta = done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(total_ - done) : 0;
    std::printf("\r%6lld/%lld [%s] - ETA: %3.0fs%s\033[K", static_cast<long long>(done),
                static_cast<long long>(total_), bar.c_str(), eta, format_logs(logs).c_str());
    std::fflush(stdout);
  }

  void finish() {
    if (enabled_) std::printf("\r\033[K");
  }

 private:
  std::int64_t total_;
  bool enabled_;
  Clock::time_point start_ = Clock::now();
  double last_draw_ = -1;
};

// Mean of per-example values, weighted by batch sizes.
class RunningMean {
 public:
  void add(double value, std::int64_t count) {
    sum_ += value * static_cast<double>(count);
    count_ += count;
  }
  double value() const { return count_ > 0 ? sum_ / static_cast<double>(count_) : 0.0; }

 private:
  double sum_ = 0;
  std::int64_t count_ = 0;
};

// Labels [N] as int64 class indices, by Keras' rule: a float target of the
// prediction's rank with more than one column holds one-hot / probability
// rows (their argmax); any other target holds the indices themselves, which
// a float target must hold exactly (1.5 is no class).
Tensor class_labels(const Tensor& target, const Tensor& prediction, const std::string& metric) {
  if (target.dtype() == kInt64) return target.reshape({-1});
  if (target.rank() > 0 && target.rank() == prediction.rank() && target.dim(-1) > 1) {
    return argmax(target, -1).reshape({-1});
  }
  for (double label : target.to_vector<double>()) {
    NABLA_CHECK(label == std::trunc(label), metric, ": target ", label, " is not a class index (target shape ",
                target.shape(), ", predictions ", prediction.shape(), ")");
  }
  return target.astype(kInt64).reshape({-1});
}

// Labels [N] of a model with one score per example (a logit for class 1):
// int64 labels as they are, float targets (BCE's 0/1) above 0.5 as 1.
Tensor binary_labels(const Tensor& target) {
  if (target.dtype() == kInt64) return target.reshape({-1});
  return (target > 0.5).astype(kInt64).reshape({-1});
}

class TopKAccuracy : public Metric {
 public:
  explicit TopKAccuracy(int k) : k_(k) { NABLA_CHECK(k >= 1, "top_k_accuracy: k must be at least 1, got ", k); }
  std::string name() const override { return k_ == 1 ? "accuracy" : "top_" + std::to_string(k_) + "_accuracy"; }
  void reset() override { correct_ = total_ = 0; }

  void update(const Tensor& prediction, const Tensor& target) override {
    const std::int64_t n = prediction.rank() == 0 ? 1 : prediction.dim(0);
    const std::int64_t classes = prediction.numel() / std::max<std::int64_t>(n, 1);
    const std::vector<std::int64_t> labels =
        (classes == 1 ? binary_labels(target) : class_labels(target, prediction, name())).to_vector<std::int64_t>();
    NABLA_CHECK(static_cast<std::int64_t>(labels.size()) == n, name(), ": ", labels.size(), " labels for ", n,
                " predictions of shape ", prediction.shape());
    const std::vector<double> scores = prediction.to_vector<double>();
    for (std::int64_t i = 0; i < n; ++i) {
      if (classes == 1) {  // one score per example: a logit for class 1
        NABLA_CHECK(labels[i] == 0 || labels[i] == 1, name(), ": label ", labels[i],
                    " is not 0 or 1, for a prediction of one score per example ", prediction.shape());
        correct_ += (scores[i] > 0) == (labels[i] == 1);
        continue;
      }
      NABLA_CHECK(labels[i] >= 0 && labels[i] < classes, name(), ": label ", labels[i], " is outside [0, ", classes,
                  ")");
      const double label_score = scores[i * classes + labels[i]];
      std::int64_t higher = 0;  // classes that beat the label (ties go to the lower index)
      for (std::int64_t c = 0; c < classes; ++c) {
        const double s = scores[i * classes + c];
        higher += s > label_score || (s == label_score && c < labels[i]);
      }
      correct_ += higher < k_;
    }
    total_ += n;
  }

  double value() const override { return total_ > 0 ? static_cast<double>(correct_) / static_cast<double>(total_) : 0; }

 private:
  int k_;
  std::int64_t correct_ = 0, total_ = 0;
};

// Keras' "auto" mode: accuracies and AUC improve upwards; losses and any
// other metric (an error such as "mae") downwards.
bool lower_is_better(const std::string& monitor) {
  for (const std::string suffix : {"acc", "accuracy", "auc"}) {
    const std::size_t size = suffix.size();
    if (monitor.size() >= size && monitor.compare(monitor.size() - size, size, suffix) == 0) return false;
  }
  return true;
}

// Every parameter's and buffer's tensor (BatchNorm's running statistics),
// sharing the network's storage: the weights Keras' restore_best_weights puts back.
std::vector<Tensor> weights_of(const Module& network) {
  std::vector<Tensor> weights;
  for (const Variable& p : network.parameters()) weights.push_back(p.value());
  for (const auto& [name, buffer] : network.named_buffers()) weights.push_back(buffer);
  return weights;
}

double logged(const Logs& logs, const std::string& monitor, const char* who) {
  auto found = logs.find(monitor);
  NABLA_CHECK(found != logs.end(), who, ": metric '", monitor, "' is not logged (", format_logs(logs), ")");
  return found->second;
}

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(const EarlyStoppingOptions& options) : options_(options) {}

  void on_train_begin(Model&) override {
    best_ = lower_is_better(options_.monitor()) ? std::numeric_limits<double>::infinity()
                                                : -std::numeric_limits<double>::infinity();
    waited_ = 0;
    best_weights_.clear();
  }

  void on_epoch_end(Model& model, int, const Logs& logs) override {
    const double value = logged(logs, options_.monitor(), "early_stopping");
    const bool improved = lower_is_better(options_.monitor()) ? value < best_ - options_.min_delta()
                                                              : value > best_ + options_.min_delta();
    if (improved) {
      best_ = value;
      waited_ = 0;
      if (options_.restore_best()) {
        best_weights_.clear();
        for (const Tensor& weight : weights_of(model.network())) best_weights_.push_back(weight.clone());
      }
      return;
    }
    if (++waited_ < options_.patience()) return;
    model.stop_training() = true;
    if (options_.restore_best() && !best_weights_.empty()) {
      std::vector<Tensor> weights = weights_of(model.network());
      for (std::size_t i = 0; i < weights.size(); ++i) weights[i].copy_(best_weights_[i]);
    }
  }

 private:
  EarlyStoppingOptions options_;
  double best_ = 0;
  int waited_ = 0;
  std::vector<Tensor> best_weights_;
};

class LearningRateSchedule : public Callback {
 public:
  explicit LearningRateSchedule(std::shared_ptr<optim::LRScheduler> scheduler) : scheduler_(std::move(scheduler)) {
    NABLA_CHECK(scheduler_ != nullptr, "learning_rate_schedule: the scheduler is null");
  }
  void on_train_begin(Model& model) override {
    NABLA_CHECK(&scheduler_->optimizer() == &model.optimizer(),
                "learning_rate_schedule: the schedule drives another optimiser than the model's (a ",
                scheduler_->optimizer().name(), ", where the model's is a ", model.optimizer().name(), ")");
  }
  void on_epoch_end(Model&, int, const Logs&) override { scheduler_->step(); }

 private:
  std::shared_ptr<optim::LRScheduler> scheduler_;
};

class PlateauSchedule : public Callback {
 public:
  PlateauSchedule(std::shared_ptr<optim::ReduceLROnPlateau> plateau, std::string monitor)
      : plateau_(std::move(plateau)), monitor_(std::move(monitor)) {
    NABLA_CHECK(plateau_ != nullptr, "reduce_lr_on_plateau: the ReduceLROnPlateau is null");
  }
  void on_train_begin(Model& model) override {
    NABLA_CHECK(&plateau_->optimizer() == &model.optimizer(),
                "reduce_lr_on_plateau: the schedule drives another optimiser than the model's (a ",
                plateau_->optimizer().name(), ", where the model's is a ", model.optimizer().name(), ")");
    const bool falls = plateau_->options().mode() == optim::PlateauMode::kMin;
    NABLA_CHECK(falls == lower_is_better(monitor_), "reduce_lr_on_plateau: '", monitor_, "' improves ",
                falls ? "upwards" : "downwards", " but the ReduceLROnPlateau waits for it to ",
                falls ? "fall (PlateauMode::kMin)" : "rise (PlateauMode::kMax)");
  }
  void on_epoch_end(Model&, int, const Logs& logs) override {
    plateau_->step(logged(logs, monitor_, "reduce_lr_on_plateau"));
  }

 private:
  std::shared_ptr<optim::ReduceLROnPlateau> plateau_;
  std::string monitor_;
};

class EpochSaver : public Callback {
 public:
  EpochSaver(std::function<void(Model&, int, const Logs&)> save, bool best_only, std::string monitor)
      : save_(std::move(save)), best_only_(best_only), monitor_(std::move(monitor)) {
    NABLA_CHECK(save_ != nullptr, "checkpoint_every_epoch: the save function is empty");
  }

  void on_train_begin(Model&) override {
    best_ = lower_is_better(monitor_) ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }

  void on_epoch_end(Model& model, int epoch, const Logs& logs) override {
    if (best_only_) {
      const double value = logged(logs, monitor_, "checkpoint_every_epoch");
      if (!(lower_is_better(monitor_) ? value < best_ : value > best_)) return;
      best_ = value;
    }
    save_(model, epoch, logs);
  }

 private:
  std::function<void(Model&, int, const Logs&)> save_;
  bool best_only_;
  std::string monitor_;
  double best_ = 0;
};

}  // namespace

LossFunction cross_entropy_loss() {
  return [](const Variable& prediction, const Variable& target) { return cross_entropy(prediction, target); };
}

LossFunction mse_loss_function() {
  return [](const Variable& prediction, const Variable& target) { return mse_loss(prediction, target); };
}

std::shared_ptr<Metric> accuracy() { return std::make_shared<TopKAccuracy>(1); }
std::shared_ptr<Metric> top_k_accuracy(int k) { return std::make_shared<TopKAccuracy>(k); }

std::shared_ptr<Callback> early_stopping(const EarlyStoppingOptions& options) {
  NABLA_CHECK(options.patience() >= 0, "early_stopping: patience must be >= 0, got ", options.patience());
  NABLA_CHECK(options.min_delta() >= 0 && std::isfinite(options.min_delta()),
              "early_stopping: min_delta must be >= 0 and finite, got ", options.min_delta());
  return std::make_shared<EarlyStopping>(options);
}

std::shared_ptr<Callback> learning_rate_schedule(std::shared_ptr<optim::LRScheduler> scheduler) {
  return std::make_shared<LearningRateSchedule>(std::move(scheduler));
}

std::shared_ptr<Callback> reduce_lr_on_plateau(std::shared_ptr<optim::ReduceLROnPlateau> plateau,
                                               const std::string& monitor) {
  return std::make_shared<PlateauSchedule>(std::move(plateau), monitor);
}

std::shared_ptr<Callback> checkpoint_every_epoch(std::function<void(Model&, int, const Logs&)> save, bool best_only,
                                                 const std::string& monitor) {
  return std::make_shared<EpochSaver>(std::move(save), best_only, monitor);
}

std::string History::to_csv() const {
  std::ostringstream out;
  out.precision(8);
  out << "epoch";
  std::size_t epochs = 0;
  for (const auto& [name, values] : metrics) {
    out << "," << name;
    epochs = std::max(epochs, values.size());
  }
  out << "\n";
  for (std::size_t e = 0; e < epochs; ++e) {
    out << e + 1;
    for (const auto& [name, values] : metrics) {
      out << ",";
      if (e < values.size()) out << values[e];
    }
    out << "\n";
  }
  return out.str();
}

Model::Model(std::shared_ptr<Module> network) : network_(std::move(network)) {
  NABLA_CHECK(network_ != nullptr, "Model: the network is null");
}

void Model::compile(LossFunction loss, std::shared_ptr<optim::Optimizer> optimizer,
                    std::vector<std::shared_ptr<Metric>> metrics, std::function<Variable()> regularization) {
  NABLA_CHECK(loss != nullptr, "Model::compile: the loss function is empty");
  NABLA_CHECK(optimizer != nullptr, "Model::compile: the optimizer is null");
  for (const auto& metric : metrics) NABLA_CHECK(metric != nullptr, "Model::compile: a metric is null");
  loss_ = std::move(loss);
  optimizer_ = std::move(optimizer);
  metrics_ = std::move(metrics);
  regularization_ = std::move(regularization);
}

void Model::check_compiled(const char* what) const {
  NABLA_CHECK(loss_ != nullptr, what, ": call compile() first");
}

optim::Optimizer& Model::optimizer() {
  check_compiled("Model::optimizer");
  return *optimizer_;
}

History Model::fit(const std::shared_ptr<const data::Dataset>& train, const FitOptions& options) {
  check_compiled("Model::fit");
  NABLA_CHECK(train != nullptr && train->size() > 0, "Model::fit: the training set is empty");
  NABLA_CHECK(options.epochs() >= 0, "Model::fit: epochs must not be negative, got ", options.epochs());
  NABLA_CHECK(options.batch_size() >= 1, "Model::fit: batch_size must be positive, got ", options.batch_size());
  // Checked before the first epoch trains, not after it.
  NABLA_CHECK(options.validation_data() == nullptr || options.validation_data()->size() > 0,
              "Model::fit: the validation set is empty");
  for (std::size_t i = 0; i < options.callbacks().size(); ++i) {
    NABLA_CHECK(options.callbacks()[i] != nullptr, "Model::fit: callback ", i, " is null");
  }
  data::DataLoaderOptions loader_options(options.batch_size());
  loader_options.shuffle(options.shuffle()).seed(options.seed()).first_epoch(epochs_trained_);
  if (options.transform()) loader_options.transform(options.transform());
  data::DataLoader loader(train, loader_options);

  History history;
  stop_training_ = false;
  for (const auto& callback : options.callbacks()) callback->on_train_begin(*this);
  for (int epoch = 0; epoch < options.epochs() && !stop_training_; ++epoch) {
    for (const auto& callback : options.callbacks()) callback->on_epoch_begin(*this, epoch);
    if (options.verbose() > 0) std::printf("Epoch %d/%d\n", epoch + 1, options.epochs());
    const Clock::time_point start = Clock::now();
    network_->train();
    for (const auto& metric : metrics_) metric->reset();
    RunningMean loss_mean;
    ProgressBar bar(loader.num_batches(), options.verbose() == 1);
    std::int64_t batch_index = 0;
    Logs logs;
    ++epochs_trained_;  // the loader starts its next epoch below, also if training then throws
    for (const data::Batch& batch : loader) {
      const Variable prediction = network_->forward(Variable(batch.inputs));
      Variable loss = loss_(prediction, Variable(batch.labels));
      if (regularization_) loss = loss + regularization_();
      // Checked before the update, which a NaN loss would spread to every weight.
      NABLA_CHECK(std::isfinite(loss.item()), "Model::fit: the loss became ", loss.item(), " at epoch ", epoch + 1,
                  ", batch ", batch_index + 1, "; lower the learning rate or check the data");
      optimizer_->zero_grad();
      loss.backward();
      optimizer_->step();
      const std::int64_t count = batch.inputs.dim(0);
      loss_mean.add(loss.item(), count);
      logs["loss"] = loss_mean.value();
      for (const auto& metric : metrics_) {
        metric->update(prediction.value(), batch.labels);
        logs[metric->name()] = metric->value();
      }
      for (const auto& callback : options.callbacks()) callback->on_batch_end(*this, batch_index, logs);
      ++batch_index;
      bar.update(batch_index, logs);
      if (stop_training_) break;  // as Keras: the epoch still ends
    }
    bar.finish();
    if (options.validation_data() != nullptr) {
      for (const auto& [name, value] : evaluate(options.validation_data(), std::max<std::int64_t>(options.batch_size(), 256))) {
        logs["val_" + name] = value;
      }
    }
    logs["lr"] = optimizer_->learning_rate();
    for (const auto& [name, value] : logs) history.metrics[name].push_back(value);
    if (options.verbose() > 0) {
      std::printf("%lld/%lld - %.1fs%s\n", static_cast<long long>(batch_index), static_cast<long long>(batch_index),
                  seconds_since(start), format_logs(logs).c_str());
      std::fflush(stdout);
    }
    for (const auto& callback : options.callbacks()) callback->on_epoch_end(*this, epoch, logs);
  }
  for (const auto& callback : options.callbacks()) callback->on_train_end(*this);
  return history;
}

Logs Model::evaluate(const std::shared_ptr<const data::Dataset>& dataset, std::int64_t batch_size) {
  check_compiled("Model::evaluate");
  NABLA_CHECK(dataset != nullptr && dataset->size() > 0, "Model::evaluate: the dataset is empty");
  NABLA_CHECK(batch_size >= 1, "Model::evaluate: batch_size must be positive, got ", batch_size);
  const EvaluationMode evaluation(*network_);
  NoGradGuard no_grad;
  data::DataLoader loader(dataset, data::DataLoaderOptions(batch_size).shuffle(false));
  for (const auto& metric : metrics_) metric->reset();
  RunningMean loss_mean;
  for (const data::Batch& batch : loader) {
    const Variable prediction = network_->forward(Variable(batch.inputs));
    loss_mean.add(loss_(prediction, Variable(batch.labels)).item(), batch.inputs.dim(0));
    for (const auto& metric : metrics_) metric->update(prediction.value(), batch.labels);
  }
  Logs logs{{"loss", loss_mean.value()}};
  for (const auto& metric : metrics_) logs[metric->name()] = metric->value();
  return logs;
}

Tensor Model::predict(const Tensor& inputs, std::int64_t batch_size) {
  NABLA_CHECK(inputs.defined() && inputs.rank() >= 1, "Model::predict: needs inputs [N, ...]");
  NABLA_CHECK(batch_size >= 1, "Model::predict: batch_size must be positive, got ", batch_size);
  const EvaluationMode evaluation(*network_);
  NoGradGuard no_grad;
  std::vector<Tensor> outputs;
  for (std::int64_t start = 0; start < inputs.dim(0); start += batch_size) {
    outputs.push_back(network_->forward(Variable(inputs.slice(0, start, start + batch_size).contiguous())).value());
  }
  NABLA_CHECK(!outputs.empty(), "Model::predict: no inputs (shape ", inputs.shape(), ")");
  return concat(outputs, 0);
}

}  // namespace nabla::nn
