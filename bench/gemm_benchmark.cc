// BM_Matmul mirrors the GEMMs of ../shared/anchors/gemm_dnnl.cpp and
// gemm_torch.cpp with nabla::matmul on float32 tensors: C = A·B for
// sq256, sq1024, sq2048 and 64x784x256 (M 64, K 784, N 256: the first
// layer of the MLP at batch 64). Like torch::matmul, each call returns a new
// tensor. GFLOP/s = 2·M·N·K / time.

#include <cstdint>

#include "bench/harness.h"

namespace nabla::bench {
namespace {

struct GemmShape {
  const char* name;
  std::int64_t m, n, k;
};

const GemmShape kGemmShapes[] = {
    {"sq256", 256, 256, 256},
    {"sq1024", 1024, 1024, 1024},
    {"sq2048", 2048, 2048, 2048},
    {"64x784x256", 64, 256, 784},
};

// Arguments: threads, shape (index into kGemmShapes).
void BM_Matmul(benchmark::State& state) {
  set_threads(state);
  const GemmShape& shape = kGemmShapes[state.range(1)];
  state.SetLabel(shape.name);
  Generator generator(0);
  const Tensor a = normal({shape.m, shape.k}, 0, 1, generator);
  const Tensor b = normal({shape.k, shape.n}, 0, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b).data<float>());
  report_rate(state, "GFLOP/s", 2e-9 * shape.m * shape.n * shape.k);
}
BENCHMARK(BM_Matmul)->ArgNames({"threads", "shape"})->ArgsProduct({kThreadCounts, {0, 1, 2, 3}})->Apply(anchor_method);

}  // namespace
}  // namespace nabla::bench
