#ifndef NABLA_NN_MODEL_H_
#define NABLA_NN_MODEL_H_

/// Model: Keras-like training of a Module. compile() sets the loss, the
/// optimiser and the metrics; fit() trains for some epochs with a progress
/// bar and returns the history of every metric; evaluate() and predict()
/// run in evaluation mode without recording.
///
///   Model model(network);
///   model.compile(cross_entropy_loss(), std::make_shared<optim::Adam>(network->parameters(), AdamOptions(1e-3)),
///                 {accuracy()});
///   History history = model.fit(train, FitOptions().epochs(10).batch_size(64).validation_data(test));
///   std::cout << model.evaluate(test).at("accuracy");
///
/// The progress bar (steps, ETA, running loss and metrics) is drawn when
/// standard output is a terminal; otherwise each epoch prints one line.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/data_loader.h"
#include "data/dataset.h"
#include "nn/module.h"
#include "nn/options.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"

namespace nabla::nn {

/// (prediction, target) -> scalar loss.
using LossFunction = std::function<Variable(const Variable& prediction, const Variable& target)>;

/// Softmax cross-entropy from logits [N, C] and int64 labels [N].
LossFunction cross_entropy_loss();
/// Mean squared error between prediction and target of equal shapes.
LossFunction mse_loss_function();

/// A metric accumulated over the batches of an epoch.
class Metric {
 public:
  virtual ~Metric() = default;
  virtual std::string name() const = 0;
  virtual void reset() = 0;
  /// prediction [N, ...] (logits or scores), target: class indices [N] or
  /// [N, 1] (int64, or float as Keras takes them) or one-hot / probability
  /// rows [N, C].
  virtual void update(const Tensor& prediction, const Tensor& target) = 0;
  virtual double value() const = 0;
};

/// Share of examples whose highest score is the label. For a single score
/// per example ([N] or [N, 1]) a score above 0 predicts class 1.
std::shared_ptr<Metric> accuracy();
/// Share of examples whose label is among the k highest scores.
std::shared_ptr<Metric> top_k_accuracy(int k);

/// Metric values by name: "loss", "accuracy", "val_loss", "lr", ...
using Logs = std::map<std::string, double>;

/// Every epoch's logs: history.at("val_accuracy")[epoch].
struct History {
  std::map<std::string, std::vector<double>> metrics;
  /// One row per epoch, columns "epoch" then the metrics in name order.
  std::string to_csv() const;
};

class Model;

/// Hooks into fit(); `batch` counts from 0 within each epoch, `epoch` from 0,
/// as in Keras. A callback may set model.stop_training(): from
/// on_batch_end the epoch ends after that batch (its end still runs, as in
/// Keras), from on_epoch_end training ends after that epoch.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Model&) {}
  virtual void on_epoch_begin(Model&, int /*epoch*/) {}
  virtual void on_batch_end(Model&, std::int64_t /*batch*/, const Logs&) {}
  virtual void on_epoch_end(Model&, int /*epoch*/, const Logs&) {}
  virtual void on_train_end(Model&) {}
};

class EarlyStoppingOptions {
 public:
  EarlyStoppingOptions() = default;
  NABLA_ARG(std::string, monitor) = "val_loss";
  /// Epochs without improvement before stopping (>= 0).
  NABLA_ARG(int, patience) = 3;
  /// Smallest change that counts as an improvement (>= 0).
  NABLA_ARG(double, min_delta) = 0;
  /// Put back the parameters and buffers (BatchNorm's running statistics)
  /// of the best epoch when stopping, as Keras' restore_best_weights.
  NABLA_ARG(bool, restore_best) = false;
};

/// Stops training when `monitor` stops improving (as Keras' mode "auto":
/// higher is better for names ending in "acc", "accuracy" or "auc", lower
/// otherwise; likewise for checkpoint_every_epoch).
std::shared_ptr<Callback> early_stopping(const EarlyStoppingOptions& options = {});

/// Steps `scheduler` at the end of every epoch; its learning rate is logged as
/// "lr". fit() throws if it drives another optimiser than the model's.
std::shared_ptr<Callback> learning_rate_schedule(std::shared_ptr<optim::LRScheduler> scheduler);

/// Steps `plateau` with the logged `monitor` at the end of every epoch
/// (Keras' ReduceLROnPlateau callback, with PyTorch's rule); the lr is logged
/// as "lr". fit() throws if it drives another optimiser than the model's,
/// or if its mode disagrees with the monitor's direction (see early_stopping).
std::shared_ptr<Callback> reduce_lr_on_plateau(std::shared_ptr<optim::ReduceLROnPlateau> plateau,
                                               const std::string& monitor = "val_loss");

/// Calls `save(model, epoch, logs)` after each epoch, or with `best_only`
/// only when `monitor` improved (the checkpoint package provides a saver).
std::shared_ptr<Callback> checkpoint_every_epoch(std::function<void(Model&, int, const Logs&)> save,
                                                 bool best_only = false, const std::string& monitor = "val_loss");

class FitOptions {
 public:
  FitOptions() = default;
  NABLA_ARG(int, epochs) = 1;
  NABLA_ARG(std::int64_t, batch_size) = 32;
  NABLA_ARG(bool, shuffle) = true;
  /// Seeds shuffling and augmentation.
  NABLA_ARG(std::uint64_t, seed) = 0;
  /// Evaluated after every epoch; its metrics are logged as "val_...".
  NABLA_ARG(std::shared_ptr<const data::Dataset>, validation_data);
  /// Applied to every training batch (augmentation), as DataLoaderOptions::transform.
  NABLA_ARG(std::function<data::Batch(data::Batch, std::uint64_t)>, transform);
  NABLA_ARG(std::vector<std::shared_ptr<Callback>>, callbacks);
  /// 0 silent, 1 progress bar on a terminal and a line per epoch, 2 the line
  /// per epoch only (as Keras).
  NABLA_ARG(int, verbose) = 1;
};

class Model {
 public:
  explicit Model(std::shared_ptr<Module> network);

  /// `regularization`, when given, is added to every training loss (e.g.
  /// [&] { return l2(network->parameters(), 1e-4); }).
  void compile(LossFunction loss, std::shared_ptr<optim::Optimizer> optimizer,
               std::vector<std::shared_ptr<Metric>> metrics = {}, std::function<Variable()> regularization = {});

  /// Epochs count on across calls for the data order: fit(1) twice visits
  /// the examples as fit(2) does (a fresh order each epoch, as Keras').
  History fit(const std::shared_ptr<const data::Dataset>& train, const FitOptions& options = {});
  /// Loss and metrics over `dataset`, in evaluation mode.
  Logs evaluate(const std::shared_ptr<const data::Dataset>& dataset, std::int64_t batch_size = 256);
  /// The network's outputs for `inputs` [N, ...], in batches, in evaluation mode.
  Tensor predict(const Tensor& inputs, std::int64_t batch_size = 256);

  Module& network() { return *network_; }
  optim::Optimizer& optimizer();
  bool& stop_training() { return stop_training_; }

 private:
  void check_compiled(const char* what) const;

  std::shared_ptr<Module> network_;
  LossFunction loss_;
  std::shared_ptr<optim::Optimizer> optimizer_;
  std::vector<std::shared_ptr<Metric>> metrics_;
  std::function<Variable()> regularization_;
  bool stop_training_ = false;
  std::int64_t epochs_trained_ = 0;  // the next fit's first epoch for the data order
};

}  // namespace nabla::nn

#endif  // NABLA_NN_MODEL_H_
