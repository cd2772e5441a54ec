#ifndef NABLA_OPTIM_CLIP_GRAD_H_
#define NABLA_OPTIM_CLIP_GRAD_H_

/// Gradient clipping between backward() and Optimizer::step(), as PyTorch's
/// torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
///
///   loss.backward();
///   double norm = clip_grad_norm(params, /*max_norm=*/1.0);
///   sgd.step();
///
/// Parameters whose grad() is undefined are skipped; a parameter listed twice
/// counts once. Clipping gives the parameter a new gradient tensor rather
/// than writing into the old one: backward() may hand several leaves one
/// shared tensor (the gradient of a + b reaches both a and b), or a
/// broadcast view that cannot be written in place, so scaling in place could
/// change a gradient held elsewhere. Tensors copied from grad() before the
/// call keep the unclipped values.

#include <limits>
#include <vector>

#include "autodiff/variable.h"

namespace nabla {
namespace optim {

/// Scales all gradients by one factor so that their total norm (the
/// `norm_type`-norm of all elements together; infinity for the largest
/// |element|) is at most `max_norm`: factor = max_norm / (total + 1e-6) when
/// that is below 1, else the gradients are left alone. Returns the total norm
/// before clipping, computed in float64. A non-finite total makes the
/// gradients non-finite too, unless `error_if_nonfinite` asks to throw.
/// Throws nabla::Error for max_norm < 0, norm_type <= 0 (or NaN), an
/// undefined parameter, and, with error_if_nonfinite, a NaN or infinite norm.
double clip_grad_norm(const std::vector<Variable>& params, double max_norm, double norm_type = 2.0,
                      bool error_if_nonfinite = false);

/// Clamps every gradient element to [-clip_value, clip_value]. Throws
/// nabla::Error for clip_value < 0 and an undefined parameter.
void clip_grad_value(const std::vector<Variable>& params, double clip_value);

/// Infinity, for clip_grad_norm's norm_type: the largest |element|.
constexpr double kInfinityNorm = std::numeric_limits<double>::infinity();

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_CLIP_GRAD_H_
