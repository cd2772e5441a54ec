#ifndef NABLA_OPTIM_OPTIM_H_
#define NABLA_OPTIM_OPTIM_H_

/// Everything //optim offers, in one include: optimisers (SGD, Adam, AdamW,
/// RMSProp, Adagrad, Adadelta) with per-group learning rates and weight
/// decay, learning-rate schedules, and gradient clipping.
///
///   #include "optim/optim.h"
///   using namespace nabla::optim;
///   Adam adam(params, AdamOptions(1e-3));
///   LinearWarmup warmup(adam, 100);
///   for (...) {
///     adam.zero_grad();
///     loss().backward();
///     clip_grad_norm(params, 1.0);
///     adam.step();
///     warmup.step();
///   }

#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/clip_grad.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

#endif  // NABLA_OPTIM_OPTIM_H_
