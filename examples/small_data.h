#ifndef NABLA_EXAMPLES_SMALL_DATA_H_
#define NABLA_EXAMPLES_SMALL_DATA_H_

// What the examples on small tables share: a seeded, stratified train/test
// split whose features are standardised with the training rows' statistics
// only, and a callback that prints one line every few epochs instead of
// every epoch.

#include <cstdint>
#include <memory>

#include "data/csv.h"
#include "data/dataset.h"
#include "data/transforms.h"
#include "nn/model.h"

namespace nabla::examples {

struct StandardizedSplit {
  std::shared_ptr<data::TensorDataset> train;
  std::shared_ptr<data::TensorDataset> test;
  data::Moments moments;  // of the training rows; a constant feature has stddev 1
};

// Shuffles the rows of `table` with `seed` (nabla::randperm, the same on
// every machine) and holds out round(n_c * test_fraction) of the n_c rows of
// each class c, so both parts keep the classes' proportions (with 30 iris
// test flowers, 10 of each species). Then standardises every feature of
// both parts as (x - mean) / stddev with the mean and stddev of the
// training part, so nothing about the test rows leaks into training.
// Prints the sizes of the two parts. Throws unless 0 <= test_fraction <= 1
// and neither part is empty.
StandardizedSplit standardized_split(const data::CsvTable& table, double test_fraction, std::uint64_t seed);

// Prints the epoch and its logs after epoch 1, every `every` epochs, and
// after the last one (fit's own per-epoch lines are then turned off with
// FitOptions::verbose(0)).
std::shared_ptr<nn::Callback> print_every(int every, int epochs);

}  // namespace nabla::examples

#endif  // NABLA_EXAMPLES_SMALL_DATA_H_
