#include "data/transforms.h"

#include <algorithm>
#include <cmath>

#include "tensor/elementwise.h"
#include "tensor/random.h"

namespace nabla::data {
namespace {

// Sizes of x viewed as [samples, channels, inner] around axis 1.
struct ChannelLayout {
  std::int64_t samples;
  std::int64_t channels;
  std::int64_t inner;
};

ChannelLayout channel_layout(const char* op, const Tensor& x) {
  NABLA_CHECK(x.defined() && x.rank() >= 2, op, ": needs a tensor [N, C, ...] of rank >= 2, got ",
              x.defined() ? x.shape() : Shape{});
  const std::int64_t samples = x.dim(0);
  const std::int64_t channels = x.dim(1);
  const std::int64_t inner = samples * channels == 0 ? 0 : x.numel() / (samples * channels);
  return {samples, channels, inner};
}

}  // namespace

Moments channel_moments(const Tensor& x) {
  const ChannelLayout layout = channel_layout("channel_moments", x);
  const std::int64_t per_channel = layout.samples * layout.inner;
  NABLA_CHECK(per_channel > 0, "channel_moments: no values per channel in shape ", x.shape());
  Moments moments{std::vector<double>(layout.channels, 0.0), std::vector<double>(layout.channels, 0.0)};
  const Tensor dense = x.contiguous();
  dispatch_floating("channel_moments", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* values = dense.data<T>();
    // Two passes: the mean first, then squared deviations from it, which
    // keeps the variance accurate when the mean is large.
    for (int pass = 0; pass < 2; ++pass) {
      for (std::int64_t c = 0; c < layout.channels; ++c) {
        double sum = 0;
        for (std::int64_t n = 0; n < layout.samples; ++n) {
          const T* row = values + (n * layout.channels + c) * layout.inner;
          for (std::int64_t i = 0; i < layout.inner; ++i) {
            const double value = row[i];
            sum += pass == 0 ? value : (value - moments.mean[c]) * (value - moments.mean[c]);
          }
        }
        const double average = sum / static_cast<double>(per_channel);
        if (pass == 0) {
          moments.mean[c] = average;
        } else {
          moments.stddev[c] = std::sqrt(average);
        }
      }
    }
  });
  return moments;
}

Tensor normalize(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& stddev) {
  const ChannelLayout layout = channel_layout("normalize", x);
  NABLA_CHECK(static_cast<std::int64_t>(mean.size()) == layout.channels &&
                  static_cast<std::int64_t>(stddev.size()) == layout.channels,
              "normalize: ", mean.size(), " means and ", stddev.size(), " standard deviations for ", layout.channels,
              " channels of shape ", x.shape());
  for (std::size_t c = 0; c < stddev.size(); ++c) {
    NABLA_CHECK(stddev[c] > 0 && std::isfinite(stddev[c]) && std::isfinite(mean[c]), "normalize: channel ", c,
                " has mean ", mean[c], " and standard deviation ", stddev[c], "; the deviation must be > 0");
  }
  const Tensor dense = x.contiguous();
  Tensor result(x.shape(), x.dtype());
  dispatch_floating("normalize", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // As torchvision: mean and stddev in x's dtype, then a true division (a
    // rounded reciprocal changes most float32 results in the last bit).
    for (std::size_t c = 0; c < stddev.size(); ++c) {
      NABLA_CHECK(static_cast<T>(stddev[c]) > 0, "normalize: channel ", c, " has standard deviation ", stddev[c],
                  ", which is 0 in ", x.dtype());
    }
    const T* in = dense.data<T>();
    T* out = result.data<T>();
    for (std::int64_t n = 0; n < layout.samples; ++n) {
      for (std::int64_t c = 0; c < layout.channels; ++c) {
        const T shift = static_cast<T>(mean[c]);
        const T divisor = static_cast<T>(stddev[c]);
        const std::int64_t offset = (n * layout.channels + c) * layout.inner;
        for (std::int64_t i = 0; i < layout.inner; ++i) out[offset + i] = (in[offset + i] - shift) / divisor;
      }
    }
  });
  return result;
}

Tensor scale_range(const Tensor& x, double from_low, double from_high, double to_low, double to_high) {
  NABLA_CHECK(x.defined() && is_floating(x.dtype()), "scale_range: needs a float32 or float64 tensor");
  NABLA_CHECK(from_low != from_high && std::isfinite(from_low) && std::isfinite(from_high) && std::isfinite(to_low) &&
                  std::isfinite(to_high),
              "scale_range: cannot map [", from_low, ", ", from_high, "] onto [", to_low, ", ", to_high, "]");
  return (x - from_low) * ((to_high - to_low) / (from_high - from_low)) + to_low;
}

Tensor random_crop(const Tensor& images, std::int64_t padding, std::uint64_t seed) {
  NABLA_CHECK(images.defined() && (images.rank() == 3 || images.rank() == 4),
              "random_crop: needs images [N, C, H, W] or [N, H, W], got ", images.defined() ? images.shape() : Shape{});
  NABLA_CHECK(padding >= 0 && padding <= (1 << 30), "random_crop: padding must be in [0, 2^30], got ", padding);
  const std::int64_t samples = images.dim(0);
  const std::int64_t planes = images.rank() == 4 ? images.dim(1) : 1;
  const std::int64_t height = images.dim(-2);
  const std::int64_t width = images.dim(-1);
  const Tensor dense = images.contiguous();
  Tensor result(images.shape(), images.dtype());
  Generator random(seed);
  dispatch(images.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = dense.data<T>();
    T* out = result.data<T>();
    for (std::int64_t n = 0; n < samples; ++n) {
      // The window's top-left corner in the padded image, minus the padding.
      const std::int64_t dy = random.below(2 * padding + 1) - padding;
      const std::int64_t dx = random.below(2 * padding + 1) - padding;
      for (std::int64_t p = 0; p < planes; ++p) {
        const std::int64_t plane = (n * planes + p) * height * width;
        for (std::int64_t y = 0; y < height; ++y) {
          const std::int64_t sy = y + dy;
          for (std::int64_t x = 0; x < width; ++x) {
            const std::int64_t sx = x + dx;
            const bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
            out[plane + y * width + x] = inside ? in[plane + sy * width + sx] : T{0};
          }
        }
      }
    }
  });
  return result;
}

Tensor horizontal_flip(const Tensor& images, double probability, std::uint64_t seed) {
  NABLA_CHECK(images.defined() && images.rank() >= 2, "horizontal_flip: needs images [N, ..., W] of rank >= 2, got ",
              images.defined() ? images.shape() : Shape{});
  NABLA_CHECK(probability >= 0 && probability <= 1, "horizontal_flip: probability must be in [0, 1], got ",
              probability);
  const std::int64_t samples = images.dim(0);
  const std::int64_t width = images.dim(-1);
  const std::int64_t per_sample = samples == 0 ? 0 : images.numel() / samples;
  Tensor result = images.clone();
  Generator random(seed);
  dispatch(images.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* values = result.data<T>();
    for (std::int64_t n = 0; n < samples; ++n) {
      if (random.uniform() >= probability) continue;
      for (std::int64_t row = 0; width > 0 && row < per_sample / width; ++row) {
        T* begin = values + n * per_sample + row * width;
        std::reverse(begin, begin + width);
      }
    }
  });
  return result;
}

}  // namespace nabla::data
