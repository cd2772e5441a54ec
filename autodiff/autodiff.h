#ifndef NABLA_AUTODIFF_AUTODIFF_H_
#define NABLA_AUTODIFF_AUTODIFF_H_

/// Everything //autodiff offers, in one include.

#include "autodiff/engine.h"
#include "autodiff/export.h"
#include "autodiff/grad_check.h"
#include "autodiff/graph.h"
#include "autodiff/nn_ops.h"
#include "autodiff/ops.h"
#include "autodiff/recurrent_ops.h"
#include "autodiff/variable.h"

#endif  // NABLA_AUTODIFF_AUTODIFF_H_
