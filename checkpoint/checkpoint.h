#ifndef NABLA_CHECKPOINT_CHECKPOINT_H_
#define NABLA_CHECKPOINT_CHECKPOINT_H_

/// Checkpoints of a model and its optimiser, as safetensors files
/// (safetensors.h), and a JSON export of the weights for humans.
///
///   checkpoint::save("/ckpt/step1000.safetensors", *model, &adam);
///   ...  // later, in a fresh process, with the same architecture:
///   auto model = make_model();
///   optim::Adam adam(model->parameters(), options);
///   checkpoint::load("/ckpt/step1000.safetensors", *model, &adam);
///   // training continues exactly as if it had never stopped
///
/// A checkpoint holds, by name:
///   "0.weight", "1.running_mean", ...  every parameter and buffer of the
///                                      model (Module::named_parameters(),
///                                      named_buffers()), in that order
///   "optimizer.step", "optimizer.group0.param0.exp_avg", ...
///                                      the optimiser's state()
///   __metadata__: {"format": "nabla.checkpoint", "format_version": "1",
///                  "optimizer": "Adam"}   ("none" without an optimiser)
///
/// Saving is atomic: a failed save leaves the previous file intact.
/// Loading checks everything before changing anything; a failed load
/// leaves the model and the optimiser exactly as they were.

#include <string>

#include "checkpoint/safetensors.h"
#include "nn/module.h"
#include "optim/optimizer.h"

namespace nabla::checkpoint {

/// The version save() writes and load() reads.
constexpr const char* kFormatVersion = "1";
/// The prefix of the optimiser's state names.
constexpr const char* kOptimizerPrefix = "optimizer.";

/// Writes the model's parameters and buffers and, when given, the
/// optimiser's state to `path` (atomically). Throws nabla::Error when a
/// model name collides with an optimiser name or the file cannot be
/// written; the previous file is then left as it was.
void save(const std::string& path, const nn::Module& model, const optim::Optimizer* optimizer = nullptr);

/// Restores a save() into a model of the same architecture (and an
/// optimiser built the same way), copying in place, so that shared tensors
/// (an optimiser's parameters, a BatchNorm's buffers) see the new values.
/// Before changing anything, checks that the file can be read (see
/// load_tensors), that its format version is known, that it names exactly
/// the model's parameters and buffers (and, with an optimiser, exactly the
/// optimiser's state, saved by an optimiser of the same type) with the same
/// dtypes and shapes. Throws nabla::Error naming the file, the tensor and
/// both dtypes and shapes otherwise:
///   "checkpoint::load: '/ckpt/a.safetensors': tensor '0.weight' is float32 [3, 2]
///    in the file, but the model has float32 [2, 3]"
/// Optimiser state in the file is ignored when `optimizer` is null.
void load(const std::string& path, nn::Module& model, optim::Optimizer* optimizer = nullptr);

/// The model's parameters and buffers as JSON, one tensor per line, in
/// named_parameters() then named_buffers() order:
///   {
///   "0.weight": {"dtype": "float32", "shape": [2, 3], "values": [0.5, -1, ...]},
///   "1.running_mean": {"dtype": "float32", "shape": [3], "values": [0, 0, 0]}
///   }
/// Values are row-major, each the shortest decimal that reads back to the
/// same number (so load_json restores the weights bit for bit); NaN and
/// infinities are the strings "NaN", "Infinity" and "-Infinity".
std::string to_json(const nn::Module& model);

/// to_json, written atomically to `path`.
void save_json(const std::string& path, const nn::Module& model);

/// Reads a to_json export back into a model of the same architecture, with
/// the same checks and guarantee as load(): everything is validated before
/// anything is copied in.
void load_json(const std::string& path, nn::Module& model);

}  // namespace nabla::checkpoint

#endif  // NABLA_CHECKPOINT_CHECKPOINT_H_
