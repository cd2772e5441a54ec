#include "examples/dcgan_nets.h"

#include "autodiff/ops.h"

namespace nabla::examples {

GeneratorNet::GeneratorNet()
    : fc_(register_module("fc", std::make_shared<nn::Dense>(nn::DenseOptions(kDcganNoise, 128 * 7 * 7)))),
      bn0_(register_module("bn0", std::make_shared<nn::BatchNorm2d>(
                                      nn::BatchNormOptions(128).activation(NormActivation::relu())))),
      up1_(register_module("up1", std::make_shared<nn::ConvTranspose2D>(
                                      nn::ConvTranspose2DOptions(128, 64, 4).stride({2, 2}).padding({1, 1})))),
      bn1_(register_module("bn1", std::make_shared<nn::BatchNorm2d>(
                                      nn::BatchNormOptions(64).activation(NormActivation::relu())))),
      up2_(register_module("up2", std::make_shared<nn::ConvTranspose2D>(
                                      nn::ConvTranspose2DOptions(64, 1, 4).stride({2, 2}).padding({1, 1})))) {}

Variable GeneratorNet::forward(const Variable& noise) {
  Variable x = reshape(fc_->forward(noise), {-1, 128, 7, 7});
  x = bn0_->forward(x);
  x = bn1_->forward(up1_->forward(x));
  return tanh(up2_->forward(x));
}

DiscriminatorNet::DiscriminatorNet()
    : c1_(register_module("c1", std::make_shared<nn::Conv2D>(
                                    nn::Conv2DOptions(1, 64, 4).stride({2, 2}).padding({1, 1}).relu(true).relu_slope(0.2)))),
      c2_(register_module("c2",
                          std::make_shared<nn::Conv2D>(nn::Conv2DOptions(64, 128, 4).stride({2, 2}).padding({1, 1})))),
      bn_(register_module("bn", std::make_shared<nn::BatchNorm2d>(
                                    nn::BatchNormOptions(128).activation(NormActivation::leaky_relu(0.2))))),
      fc_(register_module("fc", std::make_shared<nn::Dense>(nn::DenseOptions(128 * 7 * 7, 1)))) {}

Variable DiscriminatorNet::forward(const Variable& images) {
  const Variable x = bn_->forward(c2_->forward(c1_->forward(images)));
  return fc_->forward(flatten(x, 1));
}

}  // namespace nabla::examples
