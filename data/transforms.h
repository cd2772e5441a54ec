#ifndef NABLA_DATA_TRANSFORMS_H_
#define NABLA_DATA_TRANSFORMS_H_

/// Transforms of whole batches: normalisation, rescaling, one-hot labels and
/// the random augmentations (crop with padding, horizontal flip).
///
/// Inputs have the examples on axis 0 and, for images, channels on axis 1:
/// [N, F] features or [N, C, H, W] images; [N, H, W] works where no channel
/// is needed. Each returns a new tensor and leaves its argument unchanged.
/// The random ones take a seed, so the DataLoader's per-batch seed makes
/// augmentation repeatable.
///
///   Moments m = channel_moments(train_images);           // fit on training data
///   Tensor x = normalize(images, m.mean, m.stddev);
///   Tensor y = one_hot(labels, 10);   // nabla::one_hot (tensor/indexing.h): [N] -> [N, 10]
///   Tensor augmented = horizontal_flip(random_crop(images, 4, seed), 0.5, seed + 1);
///
/// Throws nabla::Error naming the transform and the shape for inputs of the
/// wrong rank, dtype or size.

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace nabla::data {

/// Per-channel statistics: mean and population standard deviation.
struct Moments {
  std::vector<double> mean;
  std::vector<double> stddev;
};

/// Mean and standard deviation of each index of axis 1 (a feature of
/// [N, F], a channel of [N, C, H, W]) over all other axes. x: float, rank >= 2.
Moments channel_moments(const Tensor& x);

/// (x - mean[c]) / stddev[c] along axis 1, in x's dtype (as torchvision's
/// Normalize); one value per channel, each stddev > 0 also in that dtype.
/// x: float, rank >= 2.
Tensor normalize(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& stddev);

/// Maps [from_low, from_high] linearly onto [to_low, to_high], e.g. pixels
/// from [0, 1] to [-1, 1]: scale_range(x, 0, 1, -1, 1). x: float.
Tensor scale_range(const Tensor& x, double from_low, double from_high, double to_low, double to_high);


/// Pads each image with `padding` zeros on all four sides and cuts out a
/// window of the original size at a random position: images [N, C, H, W] or
/// [N, H, W], any dtype; padding >= 0.
Tensor random_crop(const Tensor& images, std::int64_t padding, std::uint64_t seed);

/// Mirrors each image left to right with probability `probability`: images
/// [N, ..., W] of rank >= 2, any dtype; the last axis is flipped.
Tensor horizontal_flip(const Tensor& images, double probability, std::uint64_t seed);

}  // namespace nabla::data

#endif  // NABLA_DATA_TRANSFORMS_H_
