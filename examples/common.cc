#include "examples/common.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "io/file.h"
#include "optim/lr_scheduler.h"
#include "tensor/backend.h"
#include "tensor/random.h"

DEFINE_int32(epochs, 1, "passes over the training set");
DEFINE_int32(batch_size, 32, "examples per training step");
DEFINE_double(learning_rate, 1e-3, "the optimiser's learning rate");
DEFINE_uint64(seed, 0, "seeds initial weights, shuffling, dropout and augmentation");
DEFINE_int32(threads, 0, "OpenMP threads (0: OMP_NUM_THREADS or all cores)");
DEFINE_string(data_dir, "", "dataset directory (default: $NABLA_DATA_DIR or /var/lib/nabla/data)");
DEFINE_string(output_dir, "/tmp/nabla", "where plots and histories are written");

namespace nabla::examples {
namespace {

void check_flags() {
  NABLA_CHECK(FLAGS_epochs >= 0, "--epochs must not be negative, got ", FLAGS_epochs);
  NABLA_CHECK(FLAGS_batch_size > 0, "--batch_size must be positive, got ", FLAGS_batch_size);
  NABLA_CHECK(FLAGS_learning_rate > 0, "--learning_rate must be positive, got ", FLAGS_learning_rate);
  NABLA_CHECK(FLAGS_threads >= 0, "--threads must not be negative, got ", FLAGS_threads);
  NABLA_CHECK(!FLAGS_output_dir.empty(), "--output_dir must not be empty");
}

void make_directory(const std::string& path) {
  for (std::size_t at = 1; at <= path.size(); ++at) {
    if (at != path.size() && path[at] != '/') continue;
    const std::string prefix = path.substr(0, at);
    NABLA_CHECK(mkdir(prefix.c_str(), 0755) == 0 || errno == EEXIST, "cannot create directory ", prefix, ": ",
                std::strerror(errno));
  }
}

// Plots a metric and its validation twin (columns of the history CSV)
// against the epoch with gnuplot.
void plot(const nn::History& history, const std::string& csv, const std::string& png, const std::string& metric) {
  std::string columns;
  int column = 2;
  for (const auto& [name, values] : history.metrics) {
    if (name == metric || name == "val_" + metric) {
      columns += (columns.empty() ? "" : ", ") + std::string("'") + csv + "' using 1:" + std::to_string(column) +
                 " with linespoints title '" + name + "'";
    }
    ++column;
  }
  const std::string temporary = png + ".tmp";
  FILE* gnuplot = popen("gnuplot", "w");
  if (gnuplot == nullptr) return;
  std::fprintf(gnuplot,
               // noenhanced: enhanced text would print val_loss as "val" with a subscript.
               "set terminal pngcairo size 800,500 noenhanced\nset output '%s'\nset datafile separator ','\n"
               "set key autotitle columnhead\nset xlabel 'epoch'\nset ylabel '%s'\nset grid\nplot %s\n",
               temporary.c_str(), metric.c_str(), columns.c_str());
  if (pclose(gnuplot) == 0) std::rename(temporary.c_str(), png.c_str());  // atomic: whole file or none
}

}  // namespace

// `bazel run` starts the program in its runfiles tree and names the directory
// it was called from in $BUILD_WORKING_DIRECTORY.
std::string from_working_directory(const std::string& path) {
  const char* working = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path.front() == '/' || working == nullptr || *working == '\0') return path;
  return std::string(working) + "/" + path;
}

int run_example(int argc, char** argv, const char* usage, const Defaults& defaults, const std::function<void()>& body) {
  gflags::SetUsageMessage(usage);
  gflags::SetCommandLineOptionWithMode("epochs", std::to_string(defaults.epochs).c_str(), gflags::SET_FLAGS_DEFAULT);
  gflags::SetCommandLineOptionWithMode("batch_size", std::to_string(defaults.batch_size).c_str(),
                                       gflags::SET_FLAGS_DEFAULT);
  gflags::SetCommandLineOptionWithMode("learning_rate", std::to_string(defaults.learning_rate).c_str(),
                                       gflags::SET_FLAGS_DEFAULT);
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    check_flags();
    FLAGS_output_dir = from_working_directory(FLAGS_output_dir);
    FLAGS_data_dir = from_working_directory(FLAGS_data_dir);
    if (FLAGS_threads > 0) set_num_threads(FLAGS_threads);
    if (!FLAGS_data_dir.empty()) setenv("NABLA_DATA_DIR", FLAGS_data_dir.c_str(), 1);
    manual_seed(FLAGS_seed);
    make_directory(FLAGS_output_dir);
    body();
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], error.what());
    return 1;
  }
}

std::vector<std::shared_ptr<nn::Callback>> cosine_decay(optim::Optimizer& optimizer, int epochs) {
  if (epochs == 0) return {};
  return {nn::learning_rate_schedule(std::make_shared<optim::CosineAnnealingLR>(optimizer, epochs))};
}

void save_history(const nn::History& history, const std::string& name) {
  const std::string csv = FLAGS_output_dir + "/" + name + "_history.csv";
  io::write_file_atomic(csv, history.to_csv(), "save_history");
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    for (const auto& [metric, values] : history.metrics) {
      if (metric.rfind("val_", 0) != 0) plot(history, csv, FLAGS_output_dir + "/" + name + "_" + metric + ".png", metric);
    }
  }
  std::printf("history: %s\n", csv.c_str());
}

}  // namespace nabla::examples
