#ifndef NABLA_TENSOR_BACKEND_H_
#define NABLA_TENSOR_BACKEND_H_

/// Which CPU implementation runs the heavy ops, and on how many threads.
///
/// kOneDnn (the default) runs float32 GEMMs, convolutions, pooling and batch
/// normalisation on oneDNN primitives; kReference runs everything on the
/// portable Eigen / plain C++ kernels, which also serve float64 and any case
/// oneDNN does not cover. Both give the same results up to float rounding.
///
/// The environment variable NABLA_BACKEND=onednn|reference sets the starting
/// choice; set_backend() or a BackendScope changes it at run time:
///
///   nabla::BackendScope reference(nabla::Backend::kReference);
///   Tensor y = conv2d(x, w);  // im2col + GEMM
///
/// The choice is process-wide, like the thread count.

#include <string>

namespace nabla {

enum class Backend { kOneDnn, kReference };

/// "onednn" or "reference".
const char* backend_name(Backend backend);

/// The inverse of backend_name; throws nabla::Error naming the valid choices.
Backend parse_backend(const std::string& name);

/// The current choice: NABLA_BACKEND when set (an invalid value throws on
/// first use), else kOneDnn.
Backend current_backend();
void set_backend(Backend backend);

/// Sets the backend for its lifetime and restores the previous one.
class BackendScope {
 public:
  explicit BackendScope(Backend backend) : previous_(current_backend()) { set_backend(backend); }
  ~BackendScope() { set_backend(previous_); }
  BackendScope(const BackendScope&) = delete;
  BackendScope& operator=(const BackendScope&) = delete;

 private:
  Backend previous_;
};

/// The library's one thread setting: the OpenMP pool that our loops and
/// oneDNN share. Defaults to OMP_NUM_THREADS, else the core count. Results
/// are deterministic for a fixed thread count. Throws for threads < 1.
void set_num_threads(int threads);
int num_threads();

}  // namespace nabla

#endif  // NABLA_TENSOR_BACKEND_H_
