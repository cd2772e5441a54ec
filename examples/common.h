#ifndef NABLA_EXAMPLES_COMMON_H_
#define NABLA_EXAMPLES_COMMON_H_

// What every example shares: the flags (--epochs, --batch_size,
// --learning_rate, --seed, --threads, --data_dir, --output_dir), their
// checks, the learning-rate decay, the history files (CSV and PNG curves),
// and an error exit.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "nn/model.h"
#include "optim/optimizer.h"

DECLARE_int32(epochs);
DECLARE_int32(batch_size);
DECLARE_double(learning_rate);
DECLARE_uint64(seed);
DECLARE_int32(threads);
DECLARE_string(data_dir);
DECLARE_string(output_dir);

namespace nabla::examples {

struct Defaults {
  int epochs;
  int batch_size;
  double learning_rate;
};

// Parses the flags with these defaults, checks them, resolves relative
// --output_dir and --data_dir with from_working_directory, sets the thread
// count (0 keeps OpenMP's default), the data directory and the seed, creates the
// output directory, then runs `body`. Any error is printed with the
// program's name and gives exit code 1.
int run_example(int argc, char** argv, const char* usage, const Defaults& defaults, const std::function<void()>& body);

// `path` as given on the command line: a relative one is resolved against
// the directory `bazel run` was called from, not the runfiles tree.
std::string from_working_directory(const std::string& path);

// Decays the optimiser's learning rate to 0 along a cosine over `epochs`
// epochs, so that the last epochs settle instead of hopping between minima:
// the callbacks for FitOptions. None for 0 epochs, which train nothing.
std::vector<std::shared_ptr<nn::Callback>> cosine_decay(optim::Optimizer& optimizer, int epochs);

// Writes <output_dir>/<name>_history.csv and, when gnuplot is installed, a
// <name>_<metric>.png per metric (loss, accuracy, lr, ...) with the train and
// validation curves.
void save_history(const nn::History& history, const std::string& name);

}  // namespace nabla::examples

#endif  // NABLA_EXAMPLES_COMMON_H_
