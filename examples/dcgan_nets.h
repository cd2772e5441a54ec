#ifndef NABLA_EXAMPLES_DCGAN_NETS_H_
#define NABLA_EXAMPLES_DCGAN_NETS_H_

// The DCGAN of examples/dcgan.cc (Radford et al.; the anchors' dcgan_step),
// for 28x28x1 images; //bench:dcgan_benchmark times the same nets.
//   generator      noise [100] -> Dense 6272 -> [128, 7, 7] -> BatchNorm, ReLU
//                  -> ConvTranspose 128->64 (4x4, stride 2: 14x14) -> BatchNorm, ReLU
//                  -> ConvTranspose 64->1 (28x28) -> tanh
//   discriminator  Conv 1->64 (4x4, stride 2: 14x14) -> LeakyReLU 0.2
//                  -> Conv 64->128 (7x7) -> BatchNorm -> LeakyReLU 0.2 -> Dense 6272 -> 1
// Each ReLU and LeakyReLU is the fused one of the layer before it.

#include <cstdint>
#include <memory>
#include <string>

#include "nn/layers.h"

namespace nabla::examples {

constexpr std::int64_t kDcganNoise = 100;

// noise [N, 100] -> images [N, 1, 28, 28] in [-1, 1].
class GeneratorNet : public nn::Module {
 public:
  GeneratorNet();
  Variable forward(const Variable& noise) override;
  std::string type_name() const override { return "DCGAN generator"; }

 private:
  std::shared_ptr<nn::Dense> fc_;
  std::shared_ptr<nn::BatchNorm2d> bn0_;
  std::shared_ptr<nn::ConvTranspose2D> up1_;
  std::shared_ptr<nn::BatchNorm2d> bn1_;
  std::shared_ptr<nn::ConvTranspose2D> up2_;
};

// images [N, 1, 28, 28] -> logits [N, 1], high for "real".
class DiscriminatorNet : public nn::Module {
 public:
  DiscriminatorNet();
  Variable forward(const Variable& images) override;
  std::string type_name() const override { return "DCGAN discriminator"; }

 private:
  std::shared_ptr<nn::Conv2D> c1_, c2_;
  std::shared_ptr<nn::BatchNorm2d> bn_;
  std::shared_ptr<nn::Dense> fc_;
};

}  // namespace nabla::examples

#endif  // NABLA_EXAMPLES_DCGAN_NETS_H_
