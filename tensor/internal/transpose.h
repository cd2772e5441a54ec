#ifndef NABLA_TENSOR_INTERNAL_TRANSPOSE_H_
#define NABLA_TENSOR_INTERNAL_TRANSPOSE_H_

// The tiled matrix transpose that memory-format conversions and matmul's
// transposed GEMM share.

#include <algorithm>
#include <cstdint>

#include "tensor/internal/strided_loop.h"

namespace nabla::internal {

// out[b][c][r] = in[b][r][c] for `batch` dense [rows, cols] matrices, in
// square tiles: reads and writes both stay within a few cache lines per row.
template <typename T>
void transpose_matrices(const T* in, T* out, std::int64_t batch, std::int64_t rows, std::int64_t cols) {
  constexpr std::int64_t kTile = 16;
  const std::int64_t row_tiles = (rows + kTile - 1) / kTile;
  parallel_for(batch * row_tiles, batch * rows * cols, [&](std::int64_t task) {
    const std::int64_t b = task / row_tiles;
    const std::int64_t r0 = task % row_tiles * kTile;
    const std::int64_t r1 = std::min(r0 + kTile, rows);
    const T* from = in + b * rows * cols;
    T* to = out + b * rows * cols;
    for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const std::int64_t c1 = std::min(c0 + kTile, cols);
      for (std::int64_t c = c0; c < c1; ++c) {
        for (std::int64_t r = r0; r < r1; ++r) to[c * rows + r] = from[r * cols + c];
      }
    }
  });
}

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_TRANSPOSE_H_
