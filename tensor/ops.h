#ifndef NABLA_TENSOR_OPS_H_
#define NABLA_TENSOR_OPS_H_

/// Everything //tensor offers, in one include.

#include "tensor/elementwise.h"
#include "tensor/indexing.h"
#include "tensor/linalg.h"
#include "tensor/random.h"
#include "tensor/reduce.h"
#include "tensor/tensor.h"

#endif  // NABLA_TENSOR_OPS_H_
