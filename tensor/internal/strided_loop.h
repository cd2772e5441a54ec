#ifndef NABLA_TENSOR_INTERNAL_STRIDED_LOOP_H_
#define NABLA_TENSOR_INTERNAL_STRIDED_LOOP_H_

// The one loop over strided operands that copies, casts, element-wise ops
// and `where` share. Dimensions that are dense for every operand are merged
// first, so a contiguous tensor becomes a single row and a rows+bias
// broadcast becomes rows of contiguous data plus one stride-0 operand.

#include <algorithm>
#include <array>
#include <cstdint>

#include "tensor/internal/parallel.h"
#include "tensor/shape.h"

namespace nabla::internal {

// Rows longer than this are split into pieces that threads share.
constexpr std::int64_t kPieceSize = 1 << 14;

template <std::size_t N>
class StridedLoop {
 public:
  using Offsets = std::array<std::int64_t, N>;

  // `strides[k]` are operand k's strides over `shape` (0 where it broadcasts),
  // `base[k]` the offset of its first element.
  StridedLoop(const Shape& shape, const std::array<Strides, N>& strides, const Offsets& base) : base_(base) {
    for (std::size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 1) continue;  // a size-1 dimension moves no operand
      bool merge = !shape_.empty();
      for (std::size_t k = 0; k < N && merge; ++k) {
        merge = strides_[k].back() == strides[k][d] * shape[d];
      }
      if (merge) {
        shape_.back() *= shape[d];
        for (std::size_t k = 0; k < N; ++k) strides_[k].back() = strides[k][d];
      } else {
        shape_.push_back(shape[d]);
        for (std::size_t k = 0; k < N; ++k) strides_[k].push_back(strides[k][d]);
      }
    }
    if (shape_.empty()) {
      shape_.push_back(numel(shape));  // a scalar, or a tensor with no elements
      for (std::size_t k = 0; k < N; ++k) strides_[k].push_back(1);
    }
  }

  std::int64_t row_size() const { return shape_.back(); }
  std::int64_t rows() const { return row_size() == 0 ? 0 : numel(shape_) / row_size(); }
  // Stride of operand k along a row.
  std::int64_t row_stride(std::size_t k) const { return strides_[k].back(); }

  // Calls kernel(offsets, count) on pieces of rows that together cover every
  // element once: offsets[k] is operand k's first element of the piece and
  // count its length. Long rows are split so that even a single dense row
  // runs on all OpenMP threads.
  template <typename Kernel>
  void for_each_piece(Kernel&& kernel) const {
    const std::int64_t size = row_size();
    const std::int64_t row_count = rows();
    const std::int64_t pieces_per_row = size > kPieceSize ? (size + kPieceSize - 1) / kPieceSize : 1;
    const std::int64_t piece_size = (size + pieces_per_row - 1) / pieces_per_row;
    const std::int64_t pieces = row_count * pieces_per_row;
    auto run_piece = [&](std::int64_t piece) {
      const std::int64_t start = piece % pieces_per_row * piece_size;
      Offsets offsets = row_offsets(piece / pieces_per_row);
      for (std::size_t k = 0; k < N; ++k) offsets[k] += start * strides_[k].back();
      kernel(offsets, std::min(piece_size, size - start));
    };
    if (pieces > 1 && row_count * size >= kParallelGrain) {
#pragma omp parallel for schedule(static)
      for (std::int64_t piece = 0; piece < pieces; ++piece) run_piece(piece);
    } else {  // not even an OpenMP region: small ops are dominated by fixed costs
      for (std::int64_t piece = 0; piece < pieces; ++piece) run_piece(piece);
    }
  }

 private:
  Offsets row_offsets(std::int64_t row) const {
    Offsets offsets = base_;
    for (std::size_t d = shape_.size() - 1; d-- > 0 && row > 0;) {
      const std::int64_t index = row % shape_[d];
      row /= shape_[d];
      for (std::size_t k = 0; k < N; ++k) offsets[k] += index * strides_[k][d];
    }
    return offsets;
  }

  Shape shape_;
  std::array<Strides, N> strides_;
  Offsets base_;
};

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_STRIDED_LOOP_H_
